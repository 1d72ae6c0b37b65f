// Sign-in with an operator API key. The key is checked with one read before it is kept, so a
// typo is reported here and not as a failing dashboard.
import { ApiError } from '../api.js';
import { h } from '../dom.js';

export function mount(root, ctx) {
  const input = h('input', {
    id: 'api-key', name: 'apiKey', type: 'password', required: true,
    autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'api-key-help',
  });
  const message = h('div', { class: 'form-message', 'aria-live': 'polite' });
  const button = h('button', { type: 'submit' }, 'Sign in');
  const form = h('form', { class: 'card signin', 'aria-labelledby': 'signin-title', onsubmit: submit },
    h('h1', { id: 'signin-title' }, 'Sign in'),
    h('label', { for: 'api-key' }, 'API key'),
    input,
    h('p', { id: 'api-key-help', class: 'muted' },
      'An operator key from au-server apikey create. It is kept in this tab only (session storage) and sent as a bearer token.'),
    button,
    message);
  root.append(form);
  setTimeout(() => input.focus(), 0);

  async function submit(event) {
    event.preventDefault();
    message.replaceChildren();
    const key = input.value.trim();
    if (!key) return;
    button.disabled = true;
    ctx.api.signIn(key);
    try {
      await ctx.api.getFresh('fleet/summary');
      ctx.navigate('#/overview');
    } catch (error) {
      ctx.api.signOut();
      const title = error instanceof ApiError && error.status === 401 ? 'Sign-in failed' : 'Cannot sign in';
      message.append(ctx.problemBox(error, title));
      input.select();
    } finally {
      button.disabled = false;
    }
  }

  return {};
}
