import { test } from 'node:test';
import assert from 'node:assert/strict';
import { announcement, pickerKey } from '../call/reactions.js';

test('the picker is walked with the arrow keys, wrapping, and Home, End and Escape do what they say', () => {
  assert.equal(pickerKey('ArrowRight', 0, 6), 1);
  assert.equal(pickerKey('ArrowRight', 5, 6), 0);
  assert.equal(pickerKey('ArrowLeft', 0, 6), 5);
  assert.equal(pickerKey('ArrowDown', 2, 6), 3);
  assert.equal(pickerKey('Home', 4, 6), 0);
  assert.equal(pickerKey('End', 1, 6), 5);
  assert.equal(pickerKey('Escape', 1, 6), 'close');
  assert.equal(pickerKey('Enter', 1, 6), null, 'Enter clicks the focused emoji as any button');
  assert.equal(pickerKey('ArrowRight', -1, 6), 0, 'from outside the picker: the first');
});

test('a screen reader hears who reacted and with what, in words', () => {
  assert.equal(announcement('Bo', 'applause'), 'Bo reacted with applause');
});
