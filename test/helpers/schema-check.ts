/**
 * A small checker for the OpenAPI 3.1 schema subset docs/openapi.yaml uses ($ref, allOf, oneOf,
 * type (including "null"), enum, const, required, properties, additionalProperties, items). Returns the list of
 * mismatches as "path: problem" strings (empty when `value` fits).
 */
type Schema = Readonly<Record<string, unknown>>;

export function schemaProblems(root: Schema, schema: Schema, value: unknown, path = "$"): string[] {
  if (typeof schema.$ref === "string") {
    const target = schema.$ref
      .replace(/^#\//, "")
      .split("/")
      .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], root);
    if (!target) return [`${path}: dangling $ref ${schema.$ref}`];
    return schemaProblems(root, target as Schema, value, path);
  }
  const problems: string[] = [];
  if (Array.isArray(schema.allOf)) {
    for (const part of schema.allOf as Schema[]) problems.push(...schemaProblems(root, part, value, path));
  }
  if (Array.isArray(schema.oneOf)) {
    const fits = (schema.oneOf as Schema[]).some((s) => schemaProblems(root, s, value, path).length === 0);
    if (!fits) problems.push(`${path}: fits none of oneOf`);
  }
  if ("const" in schema && value !== schema.const) problems.push(`${path}: expected ${JSON.stringify(schema.const)}`);
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) {
    problems.push(`${path}: ${JSON.stringify(value)} not in enum`);
  }
  const type = schema.type;
  if (typeof type === "string" && !hasType(value, type)) {
    problems.push(`${path}: expected ${type}, got ${JSON.stringify(value)?.slice(0, 40)}`);
    return problems;
  }
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    for (const key of (schema.required as string[] | undefined) ?? []) {
      if (!(key in obj)) problems.push(`${path}: missing required ${key}`);
    }
    const props = (schema.properties as Record<string, Schema> | undefined) ?? {};
    for (const [key, v] of Object.entries(obj)) {
      const extra = schema.additionalProperties;
      const sub = props[key] ?? (extra !== null && typeof extra === "object" ? (extra as Schema) : undefined);
      if (sub) problems.push(...schemaProblems(root, sub, v, `${path}.${key}`));
    }
  }
  if (Array.isArray(value) && schema.items) {
    value.forEach((v, i) => {
      problems.push(...schemaProblems(root, schema.items as Schema, v, `${path}[${i}]`));
    });
  }
  return problems;
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case "object":
      return value !== null && typeof value === "object" && !Array.isArray(value);
    case "array":
      return Array.isArray(value);
    case "integer":
      return Number.isInteger(value);
    case "number":
      return typeof value === "number";
    case "string":
      return typeof value === "string";
    case "boolean":
      return typeof value === "boolean";
    case "null":
      return value === null;
    default:
      return true;
  }
}
