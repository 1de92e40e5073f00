using System.Diagnostics;
using MasStack.Platform.Workers;
using MasStack.ServiceDefaults;
using Microsoft.Extensions.Logging.Abstractions;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace MasStack.UnitTests.Platform;

/// <summary>The background loop's tracing, through the real OpenTelemetry SDK: an idle pass leaves no trace at all.</summary>
[Collection(SpanCollector.OurSource)]
public sealed class ClaimingWorkerTests : IDisposable
{
    // Stands in for a database driver's instrumentation (Npgsql's), which traces every query a claim runs.
    private static readonly ActivitySource Driver = new("Test.Driver");
    private readonly SpanCollector _exported = new();
    private readonly TracerProvider _tracing;

    public ClaimingWorkerTests() =>
        _tracing = Sdk.CreateTracerProviderBuilder().AddSource(Telemetry.SourceName, Driver.Name).AddProcessor(_exported).Build()!;

    public void Dispose() => _tracing.Dispose();

    [Fact]
    public async Task A_pass_that_claims_nothing_records_no_span_not_even_of_its_claim_query()
    {
        var worker = new QueueWorker([]);

        Assert.Equal(0, await worker.RunOnceAsync(CancellationToken.None));

        Assert.Empty(_exported.Spans);
    }

    [Fact]
    public async Task A_pass_that_claims_work_records_one_named_span_with_the_handling_beneath_it()
    {
        var worker = new QueueWorker(["a", "b"]);

        Assert.Equal(2, await worker.RunOnceAsync(CancellationToken.None));

        var pass = Assert.Single(_exported.Spans, s => s.DisplayName == "test worker");
        Assert.Equal(2, pass.GetTagItem("masstack.worker.claimed"));
        var handled = _exported.Spans.Where(s => s.DisplayName == "handle").ToList();
        Assert.Equal(2, handled.Count);
        Assert.All(handled, h => Assert.Equal(pass.SpanId, h.ParentSpanId));
        Assert.DoesNotContain(_exported.Spans, s => s.DisplayName == "claim query");
    }

    [Fact]
    public async Task One_item_that_fails_leaves_the_others_handled()
    {
        var worker = new QueueWorker(["a", "poison", "b"]);

        await worker.RunOnceAsync(CancellationToken.None);

        Assert.Equal(["a", "b"], worker.Handled);
    }

    private sealed class QueueWorker(IReadOnlyList<string> due) : ClaimingWorker<string>(NullLogger.Instance)
    {
        public List<string> Handled { get; } = [];

        protected override string Name => "test worker";

        protected override Task<IReadOnlyList<string>> ClaimAsync(int batchSize, CancellationToken ct)
        {
            using (Driver.StartActivity("claim query")) return Task.FromResult(due);
        }

        protected override Task HandleOneAsync(string item, CancellationToken ct)
        {
            using var _ = Driver.StartActivity("handle");
            if (item == "poison") throw new InvalidOperationException("cannot handle");
            Handled.Add(item);
            return Task.CompletedTask;
        }
    }
}
