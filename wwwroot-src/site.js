// Small progressive enhancements for the server-rendered pages. No globals; everything hangs off data attributes.

document.addEventListener('click', async (event) => {
  const button = event.target instanceof Element ? event.target.closest('button[data-copy]') : null;
  if (!button) return;
  const text = button.getAttribute('data-copy') ?? '';
  try {
    await navigator.clipboard.writeText(text);
    flash(button, 'Copied');
  } catch {
    // Clipboard refused (insecure origin or no permission): select the link so the person can copy it by hand.
    const input = button.parentElement?.querySelector('input');
    input?.select();
    flash(button, 'Press Ctrl+C');
  }
});

/** Shows a short confirmation on the button, then restores its label. */
function flash(button, label) {
  const original = button.textContent;
  button.textContent = label;
  setTimeout(() => { button.textContent = original; }, 1500);
}
