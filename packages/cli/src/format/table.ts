import Table from "cli-table3";

/**
 * A table as text (cli-table3). Borders are plain ASCII-light box lines; no colour codes in the style, so a
 * piped table stays readable and tests compare text.
 */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const table = new Table({ head: [...header], style: { head: [], border: [] } });
  for (const row of rows) table.push([...row]);
  return table.toString();
}
