using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace MeshMeet.Tests.Support;

/// <summary>A logger provider that keeps what the app logs at warning level and above, for assertions.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    public sealed record Entry(LogLevel Level, string Category, string Message, Exception? Exception);

    private readonly ConcurrentQueue<Entry> _entries = new();

    public IReadOnlyList<Entry> Errors => _entries.Where(e => e.Level >= LogLevel.Error).ToArray();

    /// <summary>Warnings and errors.</summary>
    public IReadOnlyList<Entry> All => _entries.ToArray();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() { }

    private sealed class Logger(CapturedLogs logs, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) logs._entries.Enqueue(new Entry(logLevel, category, formatter(state, exception), exception));
        }
    }
}
