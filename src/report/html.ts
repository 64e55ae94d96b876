import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** Escape text for HTML element content and attribute values. Model and dataset text is hostile. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A table of plain-text cells, every cell escaped. */
export function htmlTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const cells = (tag: string, row: readonly string[]) => row.map((cell) => `<${tag}>${escapeHtml(cell)}</${tag}>`).join('');
  return `<table><thead><tr>${cells('th', header)}</tr></thead><tbody>${rows.map((row) => `<tr>${cells('td', row)}</tr>`).join('')}</tbody></table>`;
}

/**
 * JSON that can sit inside `<script type="application/json">` or a script body: `<`, `>`, `&` and
 * the JS line separators are written as \u escapes, so no data can close the script element.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A library's script inlined so the report opens with no network; a `</script` inside it is neutralised. */
export function inlineScript(source: string): string {
  return `<script>${source.replace(/<\/script/gi, '<\\/script')}</script>`;
}

const require = createRequire(import.meta.url);

/** The installed package's folder; its `exports` map hides the UMD builds from require.resolve. */
function packageDir(name: string): string {
  let dir = dirname(require.resolve(name));
  while (!existsSync(join(dir, 'package.json')) || !dir.endsWith(name)) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot locate the ${name} package`);
    dir = parent;
  }
  return dir;
}

/** Vega, Vega-Lite and vega-embed UMD builds (define globals vega, vegaLite, vegaEmbed), read once. */
let vegaBundle: string | undefined;
export function vegaScripts(): string {
  vegaBundle ??= [
    ['vega', 'build/vega.min.js'],
    ['vega-lite', 'build/vega-lite.min.js'],
    ['vega-embed', 'build/vega-embed.min.js'],
  ]
    .map(([name, file]) => inlineScript(readFileSync(join(packageDir(name!), file!), 'utf8').replace(/\/\/# sourceMappingURL=\S+\s*$/, '')))
    .join('\n');
  return vegaBundle;
}
