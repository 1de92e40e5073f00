using System.Diagnostics;

namespace MasStack.ServiceDefaults;

public static class Telemetry
{
    public const string SourceName = "MasStack";
    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>The current span's W3C <c>traceparent</c>, to store with work a worker will do later (<see cref="StartContinuing"/>).</summary>
    public static string? Traceparent => Activity.Current?.Id;

    /// <summary>
    /// A background worker's span for one piece of work, continuing the trace that asked for it: its parent is the span
    /// whose <paramref name="traceparent"/> was stored with the work. The stored parent is taken as a remote one, as a
    /// consumer takes an event's, so the trace's decision to record it or not holds here too (a local parent that is not
    /// recorded would leave no span at all, and each statement beneath would start a trace of its own). Without a stored
    /// parent, the span starts a trace.
    /// </summary>
    public static Activity? StartContinuing(string name, string? traceparent) =>
        traceparent is not null && ActivityContext.TryParse(traceparent, null, isRemote: true, out var parent)
            ? Source.StartActivity(name, ActivityKind.Internal, parent)
            : Source.StartActivity(name);
}
