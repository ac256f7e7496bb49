// SPDX-License-Identifier: Apache-2.0
import { expect, it } from 'vitest';
import { expand } from './expansion.js';

const vars: Record<string, string> = { NAME: 'iris', PORT: '9000', EMPTY: '' };
const lookup = (name: string) => vars[name];

it('expands $(VAR) references and leaves unknown ones as written', () => {
  expect(expand('http://$(NAME):$(PORT)/', lookup)).toBe('http://iris:9000/');
  expect(expand('$(MISSING)-$(NAME)', lookup)).toBe('$(MISSING)-iris');
  expect(expand('[$(EMPTY)]', lookup)).toBe('[]');
});

it('treats $$ as an escaped dollar and leaves shell syntax alone', () => {
  expect(expand('$$(NAME)', lookup)).toBe('$(NAME)');
  expect(expand('$$$(NAME)', lookup)).toBe('$iris');
  expect(expand('$NAME ${NAME} $', lookup)).toBe('$NAME ${NAME} $');
});

it('keeps an unclosed reference as written', () => {
  expect(expand('a $(NAME', lookup)).toBe('a $(NAME');
  expect(expand('$()', lookup)).toBe('$()');
});
