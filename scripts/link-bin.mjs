// Links this package's own `gatehouse` bin into node_modules/.bin after the build, so that
// `npx gatehouse` in a clone runs the freshly built CLI at once instead of npm copying the
// package into its npx cache and building it again there.
import { chmodSync, existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join, relative } from 'node:path';

const target = join('dist', 'src', 'cli', 'main.js');
if (!existsSync(target) || !existsSync('node_modules')) process.exit(0);
chmodSync(target, 0o755);
const binDir = join('node_modules', '.bin');
mkdirSync(binDir, { recursive: true });
const link = join(binDir, 'gatehouse');
rmSync(link, { force: true });
symlinkSync(relative(binDir, target), link);
