using System.Diagnostics.Metrics;
using MasStack.ServiceDefaults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace MasStack.UnitTests.Platform;

/// <summary>
/// <c>OTEL_METRICS_EXPORTER=none</c> turns every instrument off, through the real OpenTelemetry SDK the services build:
/// an instrument nobody listens to measures nothing (a benchmark's way to tell what metrics cost).
/// </summary>
public sealed class MetricsSwitchTests
{
    [Theory]
    [InlineData(null, true)]
    [InlineData("otlp", true)]
    [InlineData("none", false)]
    [InlineData("NONE", false)]
    public void Metrics_are_measured_unless_switched_off(string? exporter, bool measured)
    {
        var builder = Host.CreateApplicationBuilder();
        if (exporter is not null) builder.Configuration["OTEL_METRICS_EXPORTER"] = exporter;
        builder.AddServiceDefaults();
        // What the OTLP exporter is in a service (a reader of every instrument), without the network.
        builder.Services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddReader(new BaseExportingMetricReader(new Discarded())));
        using var services = builder.Services.BuildServiceProvider();
        using var meters = services.GetRequiredService<MeterProvider>();

        using var meter = new Meter("MassTransit");
        var consumed = meter.CreateCounter<long>("messaging.masstransit.consume");

        Assert.Equal(measured, consumed.Enabled);
    }

    private sealed class Discarded : BaseExporter<Metric>
    {
        public override ExportResult Export(in Batch<Metric> batch) => ExportResult.Success;
    }
}
