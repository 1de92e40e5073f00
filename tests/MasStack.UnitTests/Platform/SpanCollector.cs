using System.Diagnostics;
using OpenTelemetry;

namespace MasStack.UnitTests.Platform;

/// <summary>The spans an OpenTelemetry tracer provider exports, kept for a test to read.</summary>
internal sealed class SpanCollector : BaseProcessor<Activity>
{
    public List<Activity> Spans { get; } = [];

    public override void OnEnd(Activity data)
    {
        lock (Spans) Spans.Add(data);
    }
}
