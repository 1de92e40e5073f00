using MasStack.ServiceDefaults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace MasStack.Platform.Http;

/// <summary>How long a call to another service (or the network) may take: each attempt, the retries after a transient failure, and all of it.</summary>
public sealed record DependencyPolicy(TimeSpan AttemptTimeout, int Retries, TimeSpan TotalTimeout, TimeSpan BreakDuration)
{
    /// <summary>For an answer a client's request waits on: give up within a few seconds, so the client gets a 503 rather than a hang.</summary>
    public static readonly DependencyPolicy Interactive = new(TimeSpan.FromSeconds(2), 2, TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(5));
}

public static class DependencyResilience
{
    /// <summary>
    /// Replaces the default resilience pipeline of one client with <paramref name="policy"/>: total timeout, retries with
    /// exponential backoff and jitter (only for requests safe to repeat, see <see cref="RetryPolicy"/>), a circuit breaker
    /// that stops calling a dependency that keeps failing, and a timeout per attempt.
    /// </summary>
    /// <summary>
    /// Takes the defaults' resilience pipeline off one client — for a client that schedules its own retries and must not
    /// share one circuit breaker among unrelated hosts (the hub's callbacks).
    /// </summary>
    public static IHttpClientBuilder WithoutDefaultResilience(this IHttpClientBuilder builder)
    {
        // The documented way to give one client its own pipeline instead of the defaults'; still marked for evaluation.
#pragma warning disable EXTEXP0001
        return builder.RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
    }

    public static IHttpClientBuilder AddDependencyResilience(this IHttpClientBuilder builder, string name, DependencyPolicy policy)
    {
        builder.WithoutDefaultResilience().AddResilienceHandler(name, pipeline =>
        {
            pipeline.AddTimeout(policy.TotalTimeout);
            pipeline.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = policy.Retries,
                Delay = TimeSpan.FromMilliseconds(200),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = args => RetryPolicy.MayRetry(args.Outcome.Result?.RequestMessage ?? args.Context.GetRequestMessage())
                    ? ValueTask.FromResult(HttpClientResiliencePredicates.IsTransient(args.Outcome))
                    : ValueTask.FromResult(false),
            });
            pipeline.AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
            {
                FailureRatio = 0.7,
                MinimumThroughput = 8,
                SamplingDuration = TimeSpan.FromSeconds(10),
                BreakDuration = policy.BreakDuration,
            });
            pipeline.AddTimeout(policy.AttemptTimeout);
        });
        return builder;
    }
}
