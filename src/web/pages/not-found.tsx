import { Page } from '../components/page.js';

export function NotFound({ path }: { readonly path: string }) {
  return (
    <Page name="not-found" title="Page not found" busy={false}>
      <p>
        There is no page at <code>{path}</code>. Go to the <a href="#/">overview</a>.
      </p>
    </Page>
  );
}
