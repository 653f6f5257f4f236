// The architecture's boundaries (../shared/STYLE.md "Boundaries"; docs/architecture.md), as rules
// the boundary test checks over every import in src/. Paths are relative to the project root.
// A rule names what it forbids and why; `allow` lists the exceptions, each with its reason.

export interface Import {
  /** The importing file, e.g. 'src/modules/cards/counter/counter.service.ts'. */
  from: string;
  /** What it imports: a resolved project file ('src/…') or a package name ('typeorm'). */
  to: string;
  /** `import type` / `export type`: erased at compile time. */
  typeOnly: boolean;
}

export interface Rule {
  name: string;
  why: string;
  /** The breach, described, or null when the import is fine. */
  check(i: Import): string | null;
}

const moduleOf = (path: string): string | null => /^src\/modules\/([^/]+)\//.exec(path)?.[1] ?? null;
const faceOf = (module: string) => `src/modules/${module}/index.ts`;
const isPackage = (to: string) => !to.startsWith('src/');
const top = (path: string) => path.split('/')[1] ?? '';

/** The composition roots: they assemble modules, and may see only their faces. */
const ROOTS = ['src/main.ts', 'src/worker.ts', 'src/cli.ts'];
const isRoot = (path: string) => ROOTS.includes(path) || path.startsWith('src/app/') || path.startsWith('src/cli/');

/** Imports a composition root may make past a face, and why. */
const ROOT_EXCEPTIONS: Record<string, string> = {
  // `pki verify` runs before Nest starts and needs no database: the face would load every Nest module.
  'src/cli.ts -> src/modules/certificates/pki-verify.cli.ts': 'a Nest-free entry point',
};

const DATABASE_PACKAGES = /^(typeorm|@nestjs\/typeorm)$/;
const FRAMEWORK_PACKAGES = /^(@nestjs\/[\w-]+|typeorm|ioredis|bullmq)$/;

export const RULES: Rule[] = [
  {
    name: 'module-faces',
    why: 'A module uses another module only through its face (src/modules/<m>/index.ts): its Nest module, public services and types.',
    check: ({ from, to }) => {
      const [mine, theirs] = [moduleOf(from), moduleOf(to)];
      return mine && theirs && mine !== theirs && to !== faceOf(theirs) ? `reaches into module ${theirs} past its index.ts` : null;
    },
  },
  {
    name: 'composition-roots-use-faces',
    why: 'The web app, the worker and the CLI assemble modules from their faces, like any other module would.',
    check: ({ from, to }) => {
      const theirs = moduleOf(to);
      if (!isRoot(from) || !theirs || to === faceOf(theirs) || `${from} -> ${to}` in ROOT_EXCEPTIONS) return null;
      return `reaches into module ${theirs} past its index.ts`;
    },
  },
  {
    name: 'foundations-import-no-module',
    why: 'src/common, src/core, src/config, src/database and src/shared are what modules stand on; they never depend on a module.',
    check: ({ from, to }) => (['common', 'core', 'config', 'database', 'shared'].includes(top(from)) && moduleOf(to) ? `imports module ${moduleOf(to)}` : null),
  },
  {
    name: 'reader-helper-stands-alone',
    why: "The reader helper ships to users' PCs: it imports only itself and src/shared, and the server never imports it.",
    check: ({ from, to }) => {
      if (top(from) === 'reader-helper') return !isPackage(to) && !['reader-helper', 'shared'].includes(top(to)) ? 'the reader helper imports server code' : null;
      return top(to) === 'reader-helper' && top(from) !== 'reader-helper' && !ROOTS.includes(from) ? 'server code imports the reader helper' : null;
    },
  },
  {
    name: 'shared-imports-only-shared',
    why: 'src/shared is what the server and the reader helper share; it depends on neither.',
    check: ({ from, to }) => (top(from) === 'shared' && !isPackage(to) && top(to) !== 'shared' ? 'src/shared imports the server' : null),
  },
  {
    name: 'validator-is-plain-typescript',
    why: 'The certificate validator runs in the CLI, the login and the tests alike: no Nest, database, Redis or BullMQ inside.',
    check: ({ from, to }) => {
      if (!from.startsWith('src/modules/certificates/validation/')) return null;
      if (isPackage(to)) return FRAMEWORK_PACKAGES.test(to) ? `imports ${to}` : null;
      return to.startsWith('src/modules/') && !to.startsWith('src/modules/certificates/validation/') ? 'imports the rest of its module' : null;
    },
  },
  {
    name: 'controllers-use-services',
    why: 'Controllers parse, call a service and pick the template; they never touch a repository.',
    check: ({ from, to }) => (from.endsWith('.controller.ts') && to.endsWith('.repository.ts') ? 'a controller imports a repository' : null),
  },
  {
    name: 'queries-in-repositories',
    why: 'All TypeORM and SQL code of a module sits in its *.repository.ts files (entities declare columns, Nest modules register entities).',
    check: ({ from, to, typeOnly }) => {
      if (!moduleOf(from) || typeOnly || !DATABASE_PACKAGES.test(to)) return null;
      if (from.endsWith('.repository.ts') || from.endsWith('.entity.ts')) return null;
      if (from.endsWith('.module.ts') && to.startsWith('@nestjs/typeorm')) return null;
      return `uses ${to} outside a repository`;
    },
  },
];

/** Every breach of every rule among `imports`, as "<rule>: <from> -> <to>: <what>". */
export function breaches(imports: Import[]): string[] {
  return imports.flatMap((i) =>
    RULES.flatMap((rule) => {
      const breach = rule.check(i);
      return breach ? [`${rule.name}: ${i.from} -> ${i.to}: ${breach}`] : [];
    }),
  );
}
