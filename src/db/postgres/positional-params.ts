/**
 * `@name` parameters (the form both backends' raw statements are written in, as better-sqlite3
 * reads them) as PostgreSQL's `$1, $2, …`: the same name is the same position. `::` casts are
 * left alone.
 */
export function toPositional(text: string): { sql: string; names: string[] } {
  const names: string[] = [];
  const sql = text.replace(/(?<![\w@:])@([A-Za-z_]\w*)/g, (_match, name: string) => {
    let index = names.indexOf(name);
    if (index === -1) index = names.push(name) - 1;
    return `$${index + 1}`;
  });
  return { sql, names };
}
