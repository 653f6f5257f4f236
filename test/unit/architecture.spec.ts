import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { breaches, RULES, type Import } from './architecture/rules';

const ROOT = resolve(__dirname, '..', '..');

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

const rel = (path: string) => relative(ROOT, path).split(sep).join('/');

function resolveSpecifier(file: string, spec: string): string {
  // A package by its name ('@nestjs/common', 'typeorm'), whatever subpath is imported.
  if (!spec.startsWith('.')) return spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/');
  const base = resolve(dirname(file), spec);
  for (const candidate of [`${base}.ts`, join(base, 'index.ts'), base]) if (existsSync(candidate)) return rel(candidate);
  return rel(base);
}

/** Every import, export-from, dynamic import() and require() of a source file, with whether it is type-only. */
function importsOf(file: string): Import[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: Import[] = [];
  const add = (spec: string, typeOnly: boolean) => found.push({ from: rel(file), to: resolveSpecifier(file, spec), typeOnly });
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : null;
      const typeOnly = !!clause && (clause.isTypeOnly || (!clause.name && !!named && named.length > 0 && named.every((e) => e.isTypeOnly)));
      add(node.moduleSpecifier.text, typeOnly);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node.moduleSpecifier.text, node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.arguments.length === 1 && ts.isStringLiteral(node.arguments[0])) {
      const callee = node.expression;
      if (callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require')) add(node.arguments[0].text, false);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('architecture boundaries (test/unit/architecture/rules.ts)', () => {
  const imports = walk(join(ROOT, 'src')).flatMap(importsOf);

  it('reads the whole import graph of src/', () => {
    expect(imports.length).toBeGreaterThan(500);
    expect(imports.some((i) => i.from === 'src/app/app.module.ts' && i.to === 'src/modules/cards/index.ts')).toBe(true);
  });

  it('has no breach of any rule', () => {
    expect(breaches(imports)).toEqual([]);
  });

  it('every module has a face, and every face is imported through its index.ts only', () => {
    const modules = readdirSync(join(ROOT, 'src', 'modules'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    expect(modules.filter((m) => !existsSync(join(ROOT, 'src', 'modules', m, 'index.ts')))).toEqual([]);
  });

  it.each([
    ['a module reaching into another', { from: 'src/modules/cards/counter/counter.service.ts', to: 'src/modules/auth/staff.service.ts', typeOnly: false }, 'module-faces'],
    ['the app reaching past a face', { from: 'src/app/app.module.ts', to: 'src/modules/cards/cards.module.ts', typeOnly: false }, 'composition-roots-use-faces'],
    ['src/common importing a module', { from: 'src/common/identifiers/codes.ts', to: 'src/modules/reference/data/index.ts', typeOnly: true }, 'foundations-import-no-module'],
    ['the reader helper importing the server', { from: 'src/reader-helper/main.ts', to: 'src/config/app-config.ts', typeOnly: false }, 'reader-helper-stands-alone'],
    ['the server importing the reader helper', { from: 'src/modules/auth/token-proof.service.ts', to: 'src/reader-helper/errors.ts', typeOnly: false }, 'reader-helper-stands-alone'],
    ['src/shared importing the server', { from: 'src/shared/web-eid.ts', to: 'src/common/i18n/i18n.ts', typeOnly: false }, 'shared-imports-only-shared'],
    ['the validator importing Nest', { from: 'src/modules/certificates/validation/validator.ts', to: '@nestjs/common', typeOnly: false }, 'validator-is-plain-typescript'],
    ['a controller importing a repository', { from: 'src/modules/cards/counter/counter.controller.ts', to: 'src/modules/cards/lifecycle/card.repository.ts', typeOnly: false }, 'controllers-use-services'],
    ['a service querying TypeORM', { from: 'src/modules/cards/counter/counter.service.ts', to: 'typeorm', typeOnly: false }, 'queries-in-repositories'],
  ] as Array<[string, Import, string]>)('fails on %s', (_what, breach, rule) => {
    expect(breaches([breach]).map((b) => b.split(':')[0])).toEqual([rule]);
    expect(RULES.find((r) => r.name === rule)?.why).toBeTruthy();
  });

  it('lets through what the rules allow: faces, own files, type-only TypeORM in services, entities and module registration', () => {
    const fine: Import[] = [
      { from: 'src/modules/cards/counter/counter.service.ts', to: 'src/modules/auth/index.ts', typeOnly: false },
      { from: 'src/modules/cards/counter/counter.service.ts', to: 'src/modules/cards/lifecycle/card.repository.ts', typeOnly: false },
      { from: 'src/modules/reference/reference.seeder.ts', to: 'typeorm', typeOnly: true },
      { from: 'src/modules/cards/lifecycle/card.entity.ts', to: 'typeorm', typeOnly: false },
      { from: 'src/modules/cards/lifecycle/lifecycle.module.ts', to: '@nestjs/typeorm', typeOnly: false },
      { from: 'src/cli.ts', to: 'src/modules/certificates/pki-verify.cli.ts', typeOnly: false },
    ];
    expect(breaches(fine)).toEqual([]);
  });
});
