interface DependencyGraphProps {
  readonly service: string;
  readonly dependencies: ReadonlyArray<{ readonly service: string; readonly kind: string }>;
  readonly dependants: ReadonlyArray<string>;
}

const NODE_WIDTH = 190;
const NODE_HEIGHT = 30;
const ROW_GAP = 12;
const COLUMN_X = [10, 300, 590] as const;
const MAX_PER_COLUMN = 10;
const WIDTH = 790;

interface Node {
  readonly name: string;
  readonly label: string;
  readonly y: number;
}

function column(names: ReadonlyArray<string>, labels: (name: string) => string, height: number): Node[] {
  const shown = names.slice(0, MAX_PER_COLUMN);
  const total = shown.length * NODE_HEIGHT + Math.max(0, shown.length - 1) * ROW_GAP;
  const top = (height - total) / 2;
  return shown.map((name, index) => ({ name, label: labels(name), y: top + index * (NODE_HEIGHT + ROW_GAP) }));
}

function NodeBox({ node, x, current }: { readonly node: Node; readonly x: number; readonly current?: boolean }) {
  const box = (
    <>
      <rect
        x={x}
        y={node.y}
        width={NODE_WIDTH}
        height={NODE_HEIGHT}
        rx={4}
        class={current === true ? 'graph-node graph-current' : 'graph-node'}
      />
      <text x={x + NODE_WIDTH / 2} y={node.y + NODE_HEIGHT / 2 + 5} text-anchor="middle" class="graph-label">
        {node.label.length > 26 ? `${node.label.slice(0, 25)}…` : node.label}
      </text>
    </>
  );
  if (current === true) return box;
  return (
    <a href={`#/services/${encodeURIComponent(node.name)}`} aria-label={`service ${node.name}`}>
      {box}
    </a>
  );
}

/**
 * What the service depends on (left), the service, and what depends on it (right). Arrows point from a dependant to
 * what it needs; a dashed arrow is a soft dependency. The lists beside it say the same in words.
 */
export function DependencyGraph({ service, dependencies, dependants }: DependencyGraphProps) {
  const rows = Math.max(1, Math.min(MAX_PER_COLUMN, Math.max(dependencies.length, dependants.length)));
  const height = rows * NODE_HEIGHT + (rows - 1) * ROW_GAP + 20;
  const kinds = new Map(dependencies.map((dependency) => [dependency.service, dependency.kind]));
  const left = column(
    dependencies.map((dependency) => dependency.service),
    (name) => `${name} (${kinds.get(name) ?? 'hard'})`,
    height,
  );
  const right = column(dependants, (name) => name, height);
  const centre: Node = { name: service, label: service, y: (height - NODE_HEIGHT) / 2 };
  const middle = centre.y + NODE_HEIGHT / 2;
  const hidden = Math.max(0, dependencies.length - MAX_PER_COLUMN) + Math.max(0, dependants.length - MAX_PER_COLUMN);

  return (
    <figure class="graph">
      <svg viewBox={`0 0 ${WIDTH} ${height}`} width="100%">
        <title>{`${service}: ${dependencies.length} dependencies on the left, ${dependants.length} dependants on the right`}</title>
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto">
            <path d="M0,0 L10,5 L0,10 z" class="graph-arrow" />
          </marker>
        </defs>
        {left.map((node) => (
          <line
            key={`l-${node.name}`}
            x1={COLUMN_X[1]}
            y1={middle}
            x2={COLUMN_X[0] + NODE_WIDTH}
            y2={node.y + NODE_HEIGHT / 2}
            class={kinds.get(node.name) === 'soft' ? 'graph-edge graph-soft' : 'graph-edge'}
            marker-end="url(#arrow)"
          />
        ))}
        {right.map((node) => (
          <line
            key={`r-${node.name}`}
            x1={COLUMN_X[2]}
            y1={node.y + NODE_HEIGHT / 2}
            x2={COLUMN_X[1] + NODE_WIDTH}
            y2={middle}
            class="graph-edge"
            marker-end="url(#arrow)"
          />
        ))}
        {left.map((node) => (
          <NodeBox key={node.name} node={node} x={COLUMN_X[0]} />
        ))}
        <NodeBox node={centre} x={COLUMN_X[1]} current />
        {right.map((node) => (
          <NodeBox key={node.name} node={node} x={COLUMN_X[2]} />
        ))}
      </svg>
      {hidden > 0 && <figcaption>{hidden} more are listed below but not drawn.</figcaption>}
    </figure>
  );
}
