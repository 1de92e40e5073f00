using System.Diagnostics;
using MasStack.ServiceDefaults;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace MasStack.UnitTests.Platform;

/// <summary>
/// Which traces are recorded, through the real OpenTelemetry SDK: a share of them, decided where the work starts and
/// followed by every span beneath, so a recorded sale is whole and an unrecorded one leaves nothing behind.
/// </summary>
public sealed class SamplingTests
{
    private static readonly ActivitySource Work = new("Test.Sampling");

    [Fact]
    public void At_a_ratio_the_share_of_traces_started_is_recorded_and_their_spans_whole()
    {
        var (exported, tracing) = Trace(new QuietRootSampler(0.1));
        using (tracing)
            for (var sale = 0; sale < 2000; sale++)
            {
                using var root = Work.StartActivity("POST /signups", ActivityKind.Server)!;
                using (Work.StartActivity("INSERT signups")) { }
                // An event's consumer, in another process: its parent comes from the traceparent the event carried.
                using (Work.StartActivity("signup-submitted receive", ActivityKind.Consumer, root.Id)) { }
            }

        var traces = exported.GroupBy(span => span.TraceId).ToList();
        Assert.InRange(traces.Count, 140, 260); // 200 expected; the decision comes from random trace ids
        Assert.All(traces, trace => Assert.Equal(["INSERT signups", "POST /signups", "signup-submitted receive"], trace.Select(s => s.DisplayName).Order()));
    }

    [Fact]
    public void An_unrecorded_trace_still_hands_its_trace_id_on_but_exports_nothing()
    {
        var (exported, tracing) = Trace(new QuietRootSampler(0.0));
        using (tracing)
        {
            using var root = Work.StartActivity("POST /signups", ActivityKind.Server);
            using var child = Work.StartActivity("INSERT signups");

            // The root is kept, unrecorded, and nothing is made beneath it: what happens meanwhile (a statement, an event
            // written to the outbox) finds the root current, and hands its trace id on with the decision not to record.
            Assert.NotNull(root);
            Assert.False(root.Recorded);
            Assert.Null(child);
            Assert.Same(root, Activity.Current);
            Assert.EndsWith("-00", root.Id);
        }
        Assert.Empty(exported);
    }

    [Fact]
    public void A_caller_that_records_its_trace_is_followed_whatever_the_ratio()
    {
        var (exported, tracing) = Trace(new QuietRootSampler(0.0));
        using (tracing)
        {
            var caller = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded, isRemote: true);
            using (Work.StartActivity("GET /subscriptions/{id}", ActivityKind.Server, caller)) { }
        }
        Assert.Single(exported);
    }

    [Fact]
    public void Every_trace_is_recorded_unless_a_ratio_is_set()
    {
        var (exported, tracing) = Trace(new QuietRootSampler());
        using (tracing)
            for (var sale = 0; sale < 100; sale++)
                using (Work.StartActivity("POST /signups", ActivityKind.Server)) { }
        Assert.Equal(100, exported.Count);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void A_ratio_outside_0_to_1_is_refused_naming_the_setting(double ratio)
    {
        var refused = Assert.Throws<ArgumentOutOfRangeException>(() => new QuietRootSampler(ratio));
        Assert.Contains(QuietRootSampler.RatioSetting, refused.Message);
    }

    private static (List<Activity> Exported, TracerProvider Tracing) Trace(Sampler sampler)
    {
        var exported = new SpanCollector();
        return (exported.Spans, Sdk.CreateTracerProviderBuilder().SetSampler(sampler).AddSource(Work.Name).AddProcessor(exported).Build()!);
    }
}
