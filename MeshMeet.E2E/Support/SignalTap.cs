using Microsoft.Playwright;

namespace MeshMeet.E2E.Support;

/// <summary>
/// Holds back or loses the relayed WebRTC signals a page receives (the hub's <c>Signal</c> messages), as a slow or lossy
/// path to the server would, to force what timing alone makes rare: offers that cross, an offer that never arrives. It
/// can also hold back the answer to the page's next join (what comes after it passes), and drop the page's connection.
/// Everything else the hub sends passes untouched.
/// </summary>
public static class SignalTap
{
    private const string Script = """
        (() => {
          window.__signalTap = { delayMs: 0, dropOffers: 0, holdAnswer: false, heldAnswer: null, passedWhileHeld: [], socket: null,
            spoilAnswers: false, spoiledSession: null, spoiled: 0 };
          const onmessage = Object.getOwnPropertyDescriptor(WebSocket.prototype, 'onmessage');
          let due = 0;
          Object.defineProperty(WebSocket.prototype, 'onmessage', {
            configurable: true,
            get() { return onmessage.get.call(this); },
            set(handler) {
              window.__signalTap.socket = this;
              onmessage.set.call(this, handler && ((event) => {
                const text = typeof event.data === 'string' ? event.data : '';
                const tap = window.__signalTap;
                // A join's answer: the completion that carries the seat's reconnect token.
                if (tap.holdAnswer && text.includes('"type":3') && text.includes('"reconnectToken"')) {
                  tap.holdAnswer = false;
                  tap.heldAnswer = () => handler.call(this, event);
                  return;
                }
                if (tap.heldAnswer) tap.passedWhileHeld.push(...[...text.matchAll(/"target":"(\w+)"/g)].map((m) => m[1]));
                if (!text.includes('"target":"Signal"')) return handler.call(this, event);
                if (tap.dropOffers > 0 && text.includes('"type":"offer"')) { tap.dropOffers--; return; }
                // Every answer of the first peer connection that answers from now on names no DTLS role ("actpass"),
                // which the browser refuses: that connection can never complete an offer.
                const session = text.includes('"type":"answer"') ? /o=- (\d+)/.exec(text)?.[1] : undefined;
                if (session && tap.spoilAnswers && (tap.spoiledSession ??= session) === session) {
                  tap.spoiled++;
                  event = new MessageEvent('message', { data: text.replace(/a=setup:(active|passive)/g, 'a=setup:actpass') });
                }
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

    /// <summary>The answer to the page's next join (or resume) is held until <see cref="ReleaseAnswerAsync"/>.</summary>
    public static Task HoldNextJoinAnswerAsync(IPage page) => page.EvaluateAsync("() => { window.__signalTap.holdAnswer = true; }");

    /// <summary>Waits until the page has been sent a join answer that the tap holds.</summary>
    public static Task WaitForHeldAnswerAsync(IPage page) =>
        page.WaitForFunctionAsync("() => window.__signalTap.heldAnswer !== null", null, new() { Timeout = 20_000 });

    /// <summary>Waits until a hub message with this target has reached the page while its join answer is held.</summary>
    public static Task WaitForPassedWhileHeldAsync(IPage page, string target) =>
        page.WaitForFunctionAsync("t => window.__signalTap.passedWhileHeld.includes(t)", target, new() { Timeout = 20_000 });

    /// <summary>Delivers the held join answer, after everything that passed it.</summary>
    public static Task ReleaseAnswerAsync(IPage page) =>
        page.EvaluateAsync("() => { const deliver = window.__signalTap.heldAnswer; window.__signalTap.heldAnswer = null; deliver(); }");

    /// <summary>From now on every answer from the first peer connection that answers this page is one the browser
    /// refuses (as Chromium refuses an answer whose DTLS role differs from the one the transport settled on).</summary>
    public static Task SpoilAnswersOfNextConnectionAsync(IPage page) => page.EvaluateAsync("() => { window.__signalTap.spoilAnswers = true; }");

    /// <summary>How many answers the tap has spoiled so far.</summary>
    public static Task<int> SpoiledAnswersAsync(IPage page) => page.EvaluateAsync<int>("() => window.__signalTap.spoiled");

    /// <summary>The page's connection to the hub drops, as on a network blip; SignalR reconnects and the page resumes.</summary>
    public static Task DropConnectionAsync(IPage page) => page.EvaluateAsync("() => window.__signalTap.socket.close(4000, 'dropped by the test')");

    /// <summary>The next offers relayed to the page are lost.</summary>
    public static Task DropOffersAsync(IPage page, int count) => page.EvaluateAsync("n => { window.__signalTap.dropOffers = n; }", count);
}
