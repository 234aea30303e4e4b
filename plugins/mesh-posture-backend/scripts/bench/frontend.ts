/*
 * The suite's frontend JavaScript as a user's browser receives it: the
 * frontend plugin (its new-frontend-system entry, as the portal installs it)
 * bundled and minified with the packages only it brings (recharts and its
 * d3 parts, lodash, -common), then gzipped. React, Backstage, Material UI,
 * react-use and react-router are left out: every Backstage app ships them.
 */
import { build } from 'esbuild';
import path from 'node:path';
import zlib from 'node:zlib';

const SHARED_WITH_THE_APP = [
  'react',
  'react-dom',
  'react/*',
  'react-dom/*',
  'react-router',
  'react-router-dom',
  'react-use',
  'react-use/*',
  '@backstage/*',
  '@material-ui/*',
];

export async function measureFrontend(): Promise<{
  files: number;
  minifiedBytes: number;
  gzipBytes: number;
  note: string;
}> {
  const entry = path.resolve(__dirname, '../../../mesh-posture/src/alpha.tsx');
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    outdir: path.join(__dirname, 'frontend-bundle'),
    metafile: true,
    jsx: 'automatic',
    external: SHARED_WITH_THE_APP,
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  });
  const js = result.outputFiles.filter(f => f.path.endsWith('.js'));
  const minifiedBytes = js.reduce((n, f) => n + f.contents.byteLength, 0);
  const gzipBytes = js.reduce(
    (n, f) => n + zlib.gzipSync(f.contents, { level: 9 }).byteLength,
    0,
  );
  const inputs = Object.keys(result.metafile!.inputs);
  const ours = inputs.filter(i => !i.includes('node_modules')).length;
  return {
    files: inputs.length,
    minifiedBytes,
    gzipBytes,
    note: `${ours} of our source files and the packages only the suite brings, esbuild-minified; React, Backstage and Material UI excluded`,
  };
}
