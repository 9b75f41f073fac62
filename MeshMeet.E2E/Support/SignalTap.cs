using Microsoft.Playwright;

namespace MeshMeet.E2E.Support;

/// <summary>
/// Holds back or loses the relayed WebRTC signals a page receives (the hub's <c>Signal</c> messages), as a slow or lossy
/// path to the server would, to force what timing alone makes rare: offers that cross, an offer that never arrives.
/// Everything else the hub sends passes untouched.
/// </summary>
public static class SignalTap
{
    private const string Script = """
        (() => {
          window.__signalTap = { delayMs: 0, dropOffers: 0 };
          const onmessage = Object.getOwnPropertyDescriptor(WebSocket.prototype, 'onmessage');
          let due = 0;
          Object.defineProperty(WebSocket.prototype, 'onmessage', {
            configurable: true,
            get() { return onmessage.get.call(this); },
            set(handler) {
              onmessage.set.call(this, handler && ((event) => {
                const text = typeof event.data === 'string' ? event.data : '';
                if (!text.includes('"target":"Signal"')) return handler.call(this, event);
                const tap = window.__signalTap;
                if (tap.dropOffers > 0 && text.includes('"type":"offer"')) { tap.dropOffers--; return; }
                // Held back, in order: a signal is never delivered before one that arrived earlier.
                due = Math.max(due, performance.now() + tap.delayMs);
                setTimeout(() => handler.call(this, event), due - performance.now());
              }));
            },
          });
        })();
        """;

    /// <summary>Installs the tap in every page the person opens from now on.</summary>
    public static Task InstallAsync(IPage page) => page.Context.AddInitScriptAsync(Script);

    /// <summary>From now on, every relayed signal reaches the page this much later.</summary>
    public static Task HoldAsync(IPage page, int delayMs) => page.EvaluateAsync("ms => { window.__signalTap.delayMs = ms; }", delayMs);

    /// <summary>The next offers relayed to the page are lost.</summary>
    public static Task DropOffersAsync(IPage page, int count) => page.EvaluateAsync("n => { window.__signalTap.dropOffers = n; }", count);
}
