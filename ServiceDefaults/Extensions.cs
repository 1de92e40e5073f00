using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using Polly;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace MasStack.ServiceDefaults;

public static class Extensions
{
    public const long MaxRequestBodyBytes = 1024 * 1024;
    /// <summary>Readiness: every health check passes (Kubernetes' readinessProbe, Aspire's WithHttpHealthCheck).</summary>
    public const string HealthPath = "/health";

    /// <summary>Liveness: the process answers (Kubernetes' livenessProbe and startupProbe).</summary>
    public const string AlivePath = "/alive";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), ["live"]);

        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler(options =>
            {
                var transient = options.Retry.ShouldHandle;
                options.Retry.ShouldHandle = args =>
                    RetryPolicy.MayRetry(args.Outcome.Result?.RequestMessage ?? args.Context.GetRequestMessage())
                        ? transient(args)
                        : ValueTask.FromResult(false);
            });
            http.AddServiceDiscovery();
        });

        builder.Services.AddProblemDetails(ProblemDetailsSetup.Customize);
        builder.Services.AddExceptionHandler<BadRequestExceptionHandler>();
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        builder.Services.Configure<KestrelServerOptions>(options => options.Limits.MaxRequestBodySize = MaxRequestBodyBytes);
        builder.Services.ConfigureHttpJsonOptions(options => ConfigureJson(options.SerializerOptions));
        return builder;
    }

    /// <summary>camelCase, enumerations as lowercase (kebab) strings, as conventions.md says.</summary>
    public static void ConfigureJson(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false));
    }

    /// <summary>Errors as problem details, correlation and trace ids on every response, and the health endpoints.</summary>
    public static WebApplication UseServiceDefaults(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseMiddleware<Correlation>();

        // Readiness: every registered check (the service's database and broker); liveness: the process answers.
        app.MapHealthChecks(HealthPath);
        app.MapHealthChecks(AlivePath, new HealthCheckOptions { Predicate = check => check.Tags.Contains("live") });
        return app;
    }

    private static void ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        // The resilience pipelines log every attempt at Information (two records per sale); retries and failures are Warnings.
        builder.Logging.AddFilter("Polly", LogLevel.Warning);
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics =>
            {
                metrics.AddAspNetCoreInstrumentation().AddHttpClientInstrumentation().AddRuntimeInstrumentation().AddMeter("MassTransit");
                if (MetricsOff(builder.Configuration)) metrics.AddView(_ => MetricStreamConfiguration.Drop);
            })
            .WithTracing(tracing => tracing
                .SetSampler(new QuietRootSampler(builder.Configuration.GetValue(QuietRootSampler.RatioSetting, 1.0)))
                .AddSource(builder.Environment.ApplicationName, Telemetry.SourceName, "MassTransit")
                .AddAspNetCoreInstrumentation(options => options.Filter = context =>
                    !context.Request.Path.StartsWithSegments(HealthPath) && !context.Request.Path.StartsWithSegments(AlivePath))
                .AddHttpClientInstrumentation());

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
    }

    /// <summary>
    /// <c>OTEL_METRICS_EXPORTER=none</c>, OpenTelemetry's own switch: no instrument of any meter (ours, the runtime's, the
    /// Aspire components') is listened to, so none measures anything.
    /// </summary>
    private static bool MetricsOff(IConfiguration configuration) =>
        string.Equals(configuration["OTEL_METRICS_EXPORTER"], "none", StringComparison.OrdinalIgnoreCase);
}
