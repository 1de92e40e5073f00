using System.Diagnostics;
using OpenTelemetry.Trace;

namespace MasStack.ServiceDefaults;

/// <summary>
/// Every trace starts where work starts (a request, a consumed message, a worker's pass that found work), and the child
/// spans follow their parent's decision, across services too: the decision travels in the <c>traceparent</c> of calls and
/// of events. So a trace is recorded whole or not at all, and a sale is one trace.
/// <para>
/// Where work starts, <paramref name="ratio"/> of the traces are recorded (<c>OTEL_TRACES_SAMPLER_ARG</c>, OpenTelemetry's
/// own name for it; 1, every trace, unless set). The decision is taken from the trace id, so every process that starts a
/// trace takes the same share. Of an unrecorded trace only the root span is made, with no attributes, never exported: its
/// trace id still goes into logs, problem details and events. One sale in ten (0.1) cost the suite 0.78 of the CPU of
/// recording every one (bench/cpu_per_sale.py), and the dashboard takes in every span of those it records.
/// </para>
/// <para>
/// One exception: a Redis command with no parent is background chatter (the id lease renewing itself every few seconds)
/// and starts no trace of its own. The Redis instrumentation Aspire embeds runs outside <c>SuppressInstrumentationScope</c>,
/// so it is silenced here, where the decision to record a trace is made. Redis commands made on behalf of a request or a
/// message keep their spans under it.
/// </para>
/// <para>
/// And one span is never made: MassTransit's <c>{queue} process</c>, the consumer's step inside the delivery's
/// <c>{queue} receive</c>. Our queues are named after their consumers, so the receive span already says which consumer
/// ran, when and for how long; the process span repeated it as a second span per delivery, a fifth of a recorded sale's
/// spans, each to be exported and stored by the dashboard. Declined under a local parent, it is not made at all, and what
/// the consumer does (its statements, the events it writes) hangs under the receive span.
/// </para>
/// </summary>
public sealed class QuietRootSampler(double ratio = 1.0) : Sampler
{
    public const string RatioSetting = "OTEL_TRACES_SAMPLER_ARG";

    private readonly Sampler _default = new ParentBasedSampler(ratio switch
    {
        1.0 => new AlwaysOnSampler(),
        >= 0.0 and < 1.0 => new TraceIdRatioBasedSampler(ratio),
        _ => throw new ArgumentOutOfRangeException(nameof(ratio), ratio, $"{RatioSetting}: the share of traces recorded is a number from 0 to 1."),
    });

    public override SamplingResult ShouldSample(in SamplingParameters parameters) =>
        (parameters.ParentContext.TraceId == default && IsRedis(parameters.Tags)) || IsConsumerStep(parameters)
            ? new SamplingResult(SamplingDecision.Drop)
            : _default.ShouldSample(parameters);

    private static bool IsConsumerStep(in SamplingParameters parameters) =>
        parameters.Kind == ActivityKind.Consumer && parameters.ParentContext.TraceId != default && !parameters.ParentContext.IsRemote
        && parameters.Name.EndsWith(" process", StringComparison.Ordinal);

    private static bool IsRedis(IEnumerable<KeyValuePair<string, object?>>? tags)
    {
        if (tags is null) return false;
        foreach (var (key, value) in tags)
            if (key is "db.system" or "db.system.name" && value is "redis") return true;
        return false;
    }
}
