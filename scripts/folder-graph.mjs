#!/usr/bin/env node
// Builds the import graph between the top-level folders of MeshMeet.Web and fails on any cycle, so that
// dependencies keep pointing one way (a feature folder never needs another that needs it back).
// A folder depends on another when one of its files names it: `using MeshMeet.Web.X`, a qualified
// `MeshMeet.Web.X.` anywhere in C# (a `namespace MeshMeet.Web.X` too: a call feature's part of the hub's partial
// class lives in the feature's folder and depends on the hub), or `@using`/`@inject`/`@model`/`@inherits` in a view.
// Usage: node scripts/folder-graph.mjs [project dir]   prints "A -> B, C" lines, then the cycles if any.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

const project = process.argv[2] ?? new URL('../MeshMeet.Web', import.meta.url).pathname;
const skip = new Set(['bin', 'obj', 'wwwroot', 'Migrations', 'Properties', 'node_modules']);

/** Every .cs and .cshtml file under dir, skipping build output and generated migrations. */
function* sources(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (!skip.has(name)) yield* sources(path);
    } else if (name.endsWith('.cs') || name.endsWith('.cshtml')) {
      yield path;
    }
  }
}

/** The folders a file names, by the namespace forms above. */
export function referencedFolders(text, isView) {
  const found = new Set();
  const code = text.replace(/\/\/[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '');
  for (const m of code.matchAll(/\bMeshMeet\.Web\.([A-Z][A-Za-z0-9_]*)/g)) found.add(m[1]);
  if (isView) {
    for (const m of code.matchAll(/^@(?:using|inject|model|inherits)\s+(?:global::)?MeshMeet\.Web\.([A-Z]\w*)/gm)) found.add(m[1]);
  }
  return found;
}

/** Strongly connected components with more than one folder (Tarjan). */
export function cycles(graph) {
  let index = 0;
  const stack = [], on = new Set(), idx = new Map(), low = new Map(), out = [];
  const visit = v => {
    idx.set(v, index); low.set(v, index); index++; stack.push(v); on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) { visit(w); low.set(v, Math.min(low.get(v), low.get(w))); }
      else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const component = [];
      let w;
      do { w = stack.pop(); on.delete(w); component.push(w); } while (w !== v);
      if (component.length > 1) out.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const graph = new Map();
  const evidence = new Map();
  for (const file of sources(project)) {
    const rel = relative(project, file).split(sep);
    if (rel.length < 2) continue; // Program.cs and _ViewImports compose everything; they are the root, not a folder.
    const from = rel[0];
    if (!graph.has(from)) graph.set(from, new Set());
    for (const to of referencedFolders(readFileSync(file, 'utf8'), file.endsWith('.cshtml'))) {
      if (to === from) continue;
      graph.get(from).add(to);
      const key = `${from} -> ${to}`;
      if (!evidence.has(key)) evidence.set(key, relative(project, file));
    }
  }
  for (const [from, tos] of [...graph].sort()) console.log(`${from} -> ${[...tos].sort().join(', ') || '(nothing)'}`);
  const found = cycles(graph);
  if (found.length === 0) { console.log('no cycles between folders'); process.exit(0); }
  for (const component of found) {
    console.log(`cycle: ${component.join(', ')}`);
    for (const from of component) for (const to of graph.get(from)) {
      if (component.includes(to)) console.log(`  ${from} -> ${to}  (e.g. ${evidence.get(`${from} -> ${to}`)})`);
    }
  }
  process.exit(1);
}
