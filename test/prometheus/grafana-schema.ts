/**
 * Checks a Grafana dashboard JSON against Grafana's own schema: the `Dashboard` type of the
 * `@grafana/schema` package (Grafana publishes its dashboard schema as TypeScript types, not as a
 * JSON schema). The JSON becomes an object literal checked with `satisfies Dashboard`, so a wrong
 * type, a value outside an enum, a missing required field or a misspelt (unknown) field are errors.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

/** A virtual file beside this one, so that `@grafana/schema` resolves from test/node_modules. */
const VIRTUAL = join(dirname(fileURLToPath(import.meta.url)), "__dashboard_check__.ts");

/**
 * Type errors of `dashboardJson` against `@grafana/schema`'s `Dashboard`, each as
 * `line:column message` (lines of the JSON text); empty when it conforms. Throws when the JSON
 * does not parse.
 */
export function dashboardSchemaErrors(dashboardJson: string): string[] {
  JSON.parse(dashboardJson); // a clear error for broken JSON, before the type checker's
  const header = 'import type { Dashboard } from "@grafana/schema";\nexport const dashboard = (\n';
  const source = `${header}${dashboardJson}\n) satisfies Dashboard;\n`;
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (name, languageVersion, ...rest) =>
    name === VIRTUAL
      ? ts.createSourceFile(name, source, languageVersion)
      : getSourceFile.call(host, name, languageVersion, ...rest);
  host.fileExists = (name) => name === VIRTUAL || fileExists.call(host, name);
  host.readFile = (name) => (name === VIRTUAL ? source : readFile.call(host, name));
  const program = ts.createProgram([VIRTUAL], options, host);
  const headerLines = header.split("\n").length - 1;
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const text = ts.flattenDiagnosticMessageText(d.messageText, "\n");
    if (!d.file || d.start === undefined) return text;
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
    return `${line + 1 - headerLines}:${character + 1} ${text}`;
  });
}
