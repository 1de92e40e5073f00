using System.Diagnostics;
using MasStack.ServiceDefaults;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace MasStack.UnitTests.Platform;

/// <summary>
/// Which traces are recorded, through the real OpenTelemetry SDK: a share of them, decided where the work starts and
/// followed by every span beneath, so a recorded sale is whole and an unrecorded one leaves nothing behind.
/// </summary>
[Collection(SpanCollector.OurSource)]
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
    public void A_delivery_is_one_span_and_what_its_consumer_does_hangs_under_it()
    {
        var (exported, tracing) = Trace(new QuietRootSampler());
        using (tracing)
        {
            var publisher = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded, isRemote: true);
            using var receive = Work.StartActivity("signup-submitted receive", ActivityKind.Consumer, publisher)!;
            // MassTransit's consumer step: declined, so not made, and the delivery's span stays current.
            using var process = Work.StartActivity("signup-submitted process", ActivityKind.Consumer);
            Assert.Null(process);
            Assert.Same(receive, Activity.Current);
            using (Work.StartActivity("INSERT accounts", ActivityKind.Client)) { }
        }

        var delivery = Assert.Single(exported, s => s.DisplayName == "signup-submitted receive");
        Assert.Equal(delivery.SpanId, Assert.Single(exported, s => s.DisplayName == "INSERT accounts").ParentSpanId);
        Assert.Equal(2, exported.Count);
    }

    [Fact]
    public void A_worker_continues_the_trace_that_stored_its_work()
    {
        var (exported, tracing) = Trace(new QuietRootSampler());
        string stored;
        using (tracing)
        {
            using (var consumer = Work.StartActivity("signup-submitted receive", ActivityKind.Consumer)!)
                stored = consumer.Id!; // kept with the work order, in the sale's transaction
            using (Telemetry.StartContinuing("work order", stored))
            using (Work.StartActivity("POST /orders", ActivityKind.Client)) { }
        }

        var order = Assert.Single(exported, s => s.DisplayName == "work order");
        var sale = Assert.Single(exported, s => s.DisplayName == "signup-submitted receive");
        Assert.Equal(sale.TraceId, order.TraceId);
        Assert.Equal(sale.SpanId, order.ParentSpanId);
        Assert.Equal(order.SpanId, Assert.Single(exported, s => s.DisplayName == "POST /orders").ParentSpanId);
    }

    [Fact]
    public void A_worker_continuing_an_unrecorded_trace_records_nothing_and_starts_no_trace()
    {
        var (exported, tracing) = Trace(new QuietRootSampler(0.0));
        using (tracing)
        {
            string stored;
            using (var request = Work.StartActivity("POST /signups", ActivityKind.Server)!)
                stored = request.Id!;
            using var order = Telemetry.StartContinuing("work order", stored);
            using var call = Work.StartActivity("POST /orders", ActivityKind.Client);

            // The worker's span is there, unrecorded, so what it does beneath finds it and records nothing either.
            Assert.NotNull(order);
            Assert.False(order.Recorded);
            Assert.Null(call);
        }
        Assert.Empty(exported);
    }

    [Fact]
    public void Work_stored_without_a_trace_starts_one()
    {
        var (exported, tracing) = Trace(new QuietRootSampler());
        using (tracing)
        using (Telemetry.StartContinuing("work order", null)) { }

        Assert.Equal(default, Assert.Single(exported).ParentSpanId);
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
        return (exported.Spans, Sdk.CreateTracerProviderBuilder().SetSampler(sampler).AddSource(Work.Name, Telemetry.SourceName).AddProcessor(exported).Build()!);
    }
}
