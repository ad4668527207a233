using System.Collections;
using System.Text.RegularExpressions;

namespace SessionRoom.Web.Hosting;

/// <summary>
/// Keeps tokens out of every log, whatever level an operator turns logging up to. Browsers must put
/// a member's access token in the URL of the hub's WebSocket upgrade, Server-Sent Events and long
/// polling requests (<c>/hubs/session?access_token=...</c>), and ASP.NET Core's request logging
/// (<c>Microsoft.AspNetCore.Hosting.Diagnostics</c>, Information) writes that URL out, as can other
/// framework categories at Debug and Trace. Every logger provider is wrapped so that the value of an
/// <c>access_token</c> parameter is replaced by <c>[redacted]</c> in the message, in the structured
/// state (which the JSON console formatter writes out) and in scopes, before any provider sees it.
/// </summary>
public static partial class SecretRedaction
{
    public const string Redacted = "[redacted]";

    private const string Marker = "access_token=";

    /// <summary>Wraps every logger provider registered so far (call it after the host's defaults are added).</summary>
    public static ILoggingBuilder RedactSecrets(this ILoggingBuilder logging)
    {
        var services = logging.Services;
        for (var i = 0; i < services.Count; i++)
        {
            var d = services[i];
            if (d.ServiceType != typeof(ILoggerProvider) || d.IsKeyedService)
            {
                continue;
            }
            if (d.ImplementationInstance is ILoggerProvider instance)
            {
                // Made by someone else, so theirs to dispose.
                services[i] = ServiceDescriptor.Singleton<ILoggerProvider>(Wrap(instance, ownsInner: false));
            }
            else if (d.ImplementationFactory is { } factory)
            {
                services[i] = ServiceDescriptor.Describe(typeof(ILoggerProvider), sp => Wrap((ILoggerProvider)factory(sp), ownsInner: true), d.Lifetime);
            }
            else if (d.ImplementationType is { } type)
            {
                // The container still builds the provider (its constructor chosen as usual); the wrapper owns it.
                services[i] = ServiceDescriptor.Describe(typeof(ILoggerProvider),
                    sp => Wrap((ILoggerProvider)ActivatorUtilities.CreateInstance(sp, type), ownsInner: true), d.Lifetime);
            }
        }
        return logging;
    }

    /// <summary>
    /// A provider that takes its scopes from the logger factory (<see cref="ISupportExternalScope"/>) is
    /// given them redacted; one that does not is given them through <see cref="ILogger.BeginScope{TState}"/>.
    /// </summary>
    private static ILoggerProvider Wrap(ILoggerProvider inner, bool ownsInner) =>
        inner is ISupportExternalScope ? new RedactingScopedLoggerProvider(inner, ownsInner) : new RedactingLoggerProvider(inner, ownsInner);

    /// <summary>The text with the value of every <c>access_token</c> parameter replaced.</summary>
    public static string Redact(string text) =>
        text.Contains(Marker, StringComparison.OrdinalIgnoreCase) ? AccessTokenParameter().Replace(text, "$1" + Redacted) : text;

    private static bool Carries(object? value) => value switch
    {
        null => false,
        string s => s.Contains(Marker, StringComparison.OrdinalIgnoreCase),
        Uri or PathString or QueryString => value.ToString()!.Contains(Marker, StringComparison.OrdinalIgnoreCase),
        _ => false,
    };

    private static object? RedactValue(object? value) => Carries(value) ? Redact(value!.ToString()!) : value;

    /// <summary>A structured state or scope that carries a token, with it redacted; null when it carries none.</summary>
    private static RedactedValues? RedactedOrNull(object? state, Func<string>? message)
    {
        switch (state)
        {
            case string s when Carries(s):
                return new RedactedValues(Redact(s), []);
            case IEnumerable<KeyValuePair<string, object?>> pairs:
                var list = pairs as IReadOnlyList<KeyValuePair<string, object?>> ?? pairs.ToList();
                var any = false;
                foreach (var pair in list)
                {
                    any |= Carries(pair.Value);
                }
                if (!any)
                {
                    return null;
                }
                var values = list.Select(p => new KeyValuePair<string, object?>(p.Key, RedactValue(p.Value))).ToList();
                return new RedactedValues(Redact(message?.Invoke() ?? state.ToString() ?? ""), values);
            default:
                // An unstructured state: its message is all a provider can show.
                if (message?.Invoke() is { } text && Carries(text))
                {
                    return new RedactedValues(Redact(text), []);
                }
                return null;
        }
    }

    [GeneratedRegex(@"(access_token=)[^&\s""'#<>]*", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AccessTokenParameter();

    /// <summary>What a provider gets instead of a state or scope that carried a token.</summary>
    private sealed class RedactedValues(string message, IReadOnlyList<KeyValuePair<string, object?>> values) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        public string Message => message;

        public int Count => values.Count;

        public KeyValuePair<string, object?> this[int index] => values[index];

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => values.GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => message;
    }

    private class RedactingLoggerProvider(ILoggerProvider inner, bool ownsInner) : ILoggerProvider
    {
        protected ILoggerProvider Inner => inner;

        public ILogger CreateLogger(string categoryName) => new RedactingLogger(inner.CreateLogger(categoryName));

        public void Dispose()
        {
            if (ownsInner)
            {
                inner.Dispose();
            }
        }
    }

    private sealed class RedactingScopedLoggerProvider(ILoggerProvider inner, bool ownsInner) : RedactingLoggerProvider(inner, ownsInner), ISupportExternalScope
    {
        public void SetScopeProvider(IExternalScopeProvider scopeProvider) =>
            ((ISupportExternalScope)Inner).SetScopeProvider(new RedactingScopeProvider(scopeProvider));
    }

    private sealed class RedactingLogger(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull =>
            RedactedOrNull(state, null) is { } redacted ? inner.BeginScope(redacted) : inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!inner.IsEnabled(logLevel))
            {
                return;
            }
            if (RedactedOrNull(state, () => formatter(state, exception)) is { } redacted)
            {
                inner.Log(logLevel, eventId, redacted, exception, static (s, _) => s.Message);
                return;
            }
            inner.Log(logLevel, eventId, state, exception, formatter);
        }
    }

    private sealed class RedactingScopeProvider(IExternalScopeProvider inner) : IExternalScopeProvider
    {
        public void ForEachScope<TState>(Action<object?, TState> callback, TState state) =>
            inner.ForEachScope((scope, s) => callback(RedactedOrNull(scope, null) ?? scope, s), state);

        public IDisposable Push(object? state) => inner.Push(state);
    }
}
