import { escapeMarkdown } from './exportMarkdown';

describe('escapeMarkdown', () => {
  it('neutralises links, HTML, emphasis, code and table cells, on one line', () => {
    expect(
      escapeMarkdown('see [x](https://evil.example) <img> *a* `b` | c\nnext'),
    ).toBe(
      'see \\[x\\](https://evil.example) \\<img\\> \\*a\\* \\`b\\` \\| c next',
    );
  });
});
