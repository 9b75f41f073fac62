import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanChatText } from '../call/chat.js';

test('a chat message is trimmed text of 1 to 1000 characters without control characters', () => {
  assert.deepEqual(cleanChatText('  hi\r\nthere  '), { text: 'hi\nthere' });
  assert.ok(cleanChatText('   ').error);
  assert.equal(cleanChatText('x'.repeat(1000)).text.length, 1000);
  assert.ok(cleanChatText('x'.repeat(1001)).error);
  assert.ok(cleanChatText('bell\u0007').error);
  assert.ok(cleanChatText('Bob: \u202enimda').error);
  assert.ok(cleanChatText('hi \u2067Ann\u2069').error);
  assert.deepEqual(cleanChatText('<b>tags stay text</b>'), { text: '<b>tags stay text</b>' });
});
