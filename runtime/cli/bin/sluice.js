#!/usr/bin/env node
// The `sluice` command (../sluice.ts). This launcher is JavaScript so that Node's compile cache is
// on before the first TypeScript module loads: a module found in the cache needs no type
// stripping, and stripping loads a WebAssembly compiler that costs every process ~20 MB of RSS.
import { enableCompileCache } from 'node:module';

enableCompileCache();
await import('../sluice.ts');
