/**
 * Rows in PostgreSQL's COPY text format: tab between values, newline after each row, `\N` for
 * null, and backslash escapes for the characters the format reserves. Objects and arrays are
 * written as JSON (for JSON columns), Dates as ISO timestamps.
 */
export function copyText(rows: unknown[][]): string {
  let text = '';
  for (const row of rows) {
    for (let i = 0; i < row.length; i++) text += (i ? '\t' : '') + field(row[i]);
    text += '\n';
  }
  return text;
}

const RESERVED = /[\\\t\n\r]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function escaped(text: string): string {
  return RESERVED.test(text) ? text.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c]) : text;
}

function field(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  switch (typeof value) {
    case 'string':
      return escaped(value);
    case 'number':
      if (!Number.isFinite(value)) throw new Error(`cannot insert the number ${value}`);
      return String(value);
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? 't' : 'f';
  }
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return escaped(JSON.stringify(value));
  throw new Error(`cannot insert a value of type ${typeof value}`);
}
