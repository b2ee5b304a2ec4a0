import { type Document, isMap, isNode, isPair, isScalar, isSeq, type LineCounter } from 'yaml';
import type { CatalogueProblem, CatalogueProblemCode } from './types.js';

export type FieldPath = ReadonlyArray<PropertyKey>;

/** Renders `['services', 3, 'dependencies', 1]` as `services[3].dependencies[1]`. */
export function formatFieldPath(path: FieldPath): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text === '' ? String(segment) : `.${String(segment)}`;
  }
  return text === '' ? '(document)' : text;
}

/** Turns a path inside one YAML document into the line and column a person can open. */
export class YamlLocator {
  private constructor(
    readonly file: string,
    private readonly document: Document,
    private readonly lineCounter: LineCounter,
  ) {}

  static create(file: string, document: Document, lineCounter: LineCounter): YamlLocator {
    return new YamlLocator(file, document, lineCounter);
  }

  /** The position of the deepest node on `path` that exists; with `atKey`, the key of the last segment. */
  position(path: FieldPath, atKey = false): { line: number; column: number } {
    let node: unknown = this.document.contents;
    let offset = rangeStart(node) ?? this.document.range?.[0] ?? 0;
    for (const [index, segment] of path.entries()) {
      const last = index === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find(
          (item) => isPair(item) && (isScalar(item.key) ? item.key.value === segment : item.key === segment),
        );
        if (pair === undefined) break;
        const keyStart = rangeStart(pair.key);
        if (last && atKey && keyStart !== undefined) {
          offset = keyStart;
          break;
        }
        node = pair.value;
        offset = rangeStart(node) ?? keyStart ?? offset;
      } else if (isSeq(node) && typeof segment === 'number') {
        const item: unknown = node.items[segment];
        if (item === undefined) break;
        node = item;
        offset = rangeStart(item) ?? offset;
      } else {
        break;
      }
    }
    const { line, col } = this.lineCounter.linePos(offset);
    return { line, column: col };
  }

  problem(code: CatalogueProblemCode, path: FieldPath, message: string, atKey = false): CatalogueProblem {
    return { code, file: this.file, ...this.position(path, atKey), path: formatFieldPath(path), message };
  }
}

function rangeStart(node: unknown): number | undefined {
  return isNode(node) ? node.range?.[0] : undefined;
}
