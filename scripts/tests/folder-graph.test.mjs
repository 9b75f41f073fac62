// The folder-graph check (scripts/folder-graph.mjs): its cycle finder on small graphs, then the real tree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cycles, referencedFolders } from '../folder-graph.mjs';

const graph = edges => new Map(Object.entries(edges).map(([k, v]) => [k, new Set(v)]));

test('a chain of folders has no cycle', () => {
  assert.deepEqual(cycles(graph({ Admin: ['Rooms'], Rooms: ['Infrastructure'], Infrastructure: [] })), []);
});

test('two folders importing each other are a cycle, and a longer loop is one cycle with every folder on it', () => {
  assert.deepEqual(cycles(graph({ A: ['B'], B: ['A'] })), [['A', 'B']]);
  assert.deepEqual(cycles(graph({ A: ['B'], B: ['C'], C: ['A'], D: ['A'] })), [['A', 'B', 'C']]);
});

test('usings, qualified names, namespace declarations and view directives count; comments do not', () => {
  const cs = 'using MeshMeet.Web.Rooms;\n// MeshMeet.Web.Admin is only mentioned\nnamespace MeshMeet.Web.Signaling;\nvar x = MeshMeet.Web.Audit.Csv.Row();';
  assert.deepEqual([...referencedFolders(cs, false)].sort(), ['Audit', 'Rooms', 'Signaling']);
  const view = '@model MeshMeet.Web.Calls.JoinModel\n@inject Microsoft.Extensions.Options.IOptions<MeshMeet.Web.Signaling.SignalingOptions> S';
  assert.deepEqual([...referencedFolders(view, true)].sort(), ['Calls', 'Signaling']);
});

test('the folders of MeshMeet.Web import each other in no cycle', () => {
  const script = new URL('../folder-graph.mjs', import.meta.url).pathname;
  let output;
  try {
    output = execFileSync(process.execPath, [script], { encoding: 'utf8' });
  } catch (e) {
    assert.fail(`folder cycles:\n${e.stdout}`);
  }
  assert.match(output, /no cycles between folders/);
});
