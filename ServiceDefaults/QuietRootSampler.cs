using OpenTelemetry.Trace;

namespace MasStack.ServiceDefaults;

/// <summary>
/// Every trace starts where work starts (a request, a consumed message, a worker's pass that found work), and the child
/// spans follow their parent's decision. The one exception: a Redis command with no parent is background chatter (the id
/// lease renewing itself every few seconds) and starts no trace of its own. The Redis instrumentation Aspire embeds runs
/// outside <c>SuppressInstrumentationScope</c>, so it is silenced here, where the decision to record a trace is made.
/// Redis commands made on behalf of a request or a message keep their spans under it.
/// </summary>
public sealed class QuietRootSampler : Sampler
{
    private static readonly Sampler Default = new ParentBasedSampler(new AlwaysOnSampler());

    public override SamplingResult ShouldSample(in SamplingParameters parameters) =>
        parameters.ParentContext.TraceId == default && IsRedis(parameters.Tags)
            ? new SamplingResult(SamplingDecision.Drop)
            : Default.ShouldSample(parameters);

    private static bool IsRedis(IEnumerable<KeyValuePair<string, object?>>? tags)
    {
        if (tags is null) return false;
        foreach (var (key, value) in tags)
            if (key is "db.system" or "db.system.name" && value is "redis") return true;
        return false;
    }
}
