using System.Diagnostics;
using OpenTelemetry;

namespace MasStack.UnitTests.Platform;

/// <summary>
/// The spans an OpenTelemetry tracer provider exports, kept for a test to read. The tests that listen to our own source
/// (<see cref="MasStack.ServiceDefaults.Telemetry.Source"/>) run one at a time, in the <see cref="OurSource"/>
/// collection: every provider listening to a source hears every span it starts, another test's too.
/// </summary>
internal sealed class SpanCollector : BaseProcessor<Activity>
{
    public const string OurSource = "tracing our own source";

    public List<Activity> Spans { get; } = [];

    public override void OnEnd(Activity data)
    {
        lock (Spans) Spans.Add(data);
    }
}
