/**
 * A link target only for http and https URLs. Runbook links can come from an alert's annotations, which anyone who
 * can send alerts writes; a `javascript:` URL must never become a link (the content policy would block it as well).
 */
export function safeHttpUrl(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}
