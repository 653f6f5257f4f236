import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The project root (the folder holding package.json), whether running from src/ or dist/src/. */
function findRoot(start: string): string {
  let dir = start;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`package.json not found above ${start}`);
    dir = parent;
  }
  return dir;
}

export const PROJECT_ROOT = findRoot(__dirname);
export const VIEWS_DIR = join(PROJECT_ROOT, 'views');
export const CATALOG_DIR = join(PROJECT_ROOT, 'src', 'i18n');
export const PUBLIC_BUILD_DIR = join(PROJECT_ROOT, 'public', 'build');
