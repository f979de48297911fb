/**
 * Confluent's context URLs: `/contexts/{ctx}/subjects/{s}/...` is the same request as
 * `/subjects/:.ctx:{s}/...`, `/contexts/{ctx}/config` the context's own config, and listings
 * under a context get the context as their subject prefix. The URL is rewritten before routing,
 * on the raw (still encoded) path, as Confluent's ContextFilter does.
 */

const SUBJECT_PARENTS = new Set(['subjects']);
const ROOT_SETTINGS = new Set(['config', 'mode']);

function decodeSafely(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

const hasContext = (segment: string): boolean => {
  const d = decodeSafely(segment);
  return d.startsWith(':.') || d.startsWith(':*:');
};

/** ".ctx" or "ctx" → ":.ctx:"; the default context → "" (subjects without a prefix). */
function contextPrefix(context: string): string {
  const d = decodeSafely(context);
  if (d === '.' || d === '' || d === ':.:') return '';
  const name = d.startsWith(':') ? d.replace(/^:|:$/g, '') : d;
  return `:${name.startsWith('.') ? name : `.${name}`}:`;
}

/** The URL (path and query) a `/contexts/...` URL stands for; other URLs come back unchanged. */
export function rewriteContextUrl(url: string): string {
  if (!url.startsWith('/contexts/')) return url;
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
  const segments = path.split('/').slice(2);
  if (segments.length === 0 || segments[0] === '') return url;
  const context = segments[0];
  const rest = segments.slice(1).filter((s, i, all) => s !== '' || i < all.length - 1);
  const prefix = contextPrefix(context);
  // "/contexts/.ctx": the context itself (DELETE /contexts/{ctx}).
  if (rest.length === 0) return `/contexts/${encodeURIComponent(prefix === '' ? '.' : prefix)}${q < 0 ? '' : url.slice(q)}`;
  const out: string[] = [];
  let subjectNext = false;
  let settingsAtRoot = false;
  rest.forEach((segment, i) => {
    if (subjectNext) {
      out.push(hasContext(segment) ? segment : encodeURIComponent(prefix + decodeSafely(segment)));
      subjectNext = false;
      return;
    }
    out.push(segment);
    if (SUBJECT_PARENTS.has(segment) || (i === 0 && ROOT_SETTINGS.has(segment))) {
      subjectNext = true;
      settingsAtRoot = i === 0 && ROOT_SETTINGS.has(segment);
    }
  });
  // "/contexts/.ctx/config" is the context's own config: "/config/:.ctx:".
  if (subjectNext && settingsAtRoot && prefix !== '') out.push(encodeURIComponent(prefix));
  const newPath = `/${out.join('/')}`;
  const target = newPath.replace(/^\//, '');
  if (target.startsWith('schemas/ids') || target.startsWith('schemas/guids')) {
    const subject = query.get('subject') ?? '';
    if (!hasContext(subject)) query.set('subject', prefix + subject);
  } else if (target === 'schemas' || target === 'subjects') {
    const prefixes = query.getAll('subjectPrefix');
    query.delete('subjectPrefix');
    for (const p of prefixes.length === 0 ? [''] : prefixes) query.append('subjectPrefix', hasContext(p) ? p : prefix + p);
  }
  const qs = query.toString();
  return qs === '' ? newPath : `${newPath}?${qs}`;
}
