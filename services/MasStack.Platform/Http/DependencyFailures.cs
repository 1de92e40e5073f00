namespace MasStack.Platform.Http;

public static class DependencyFailures
{
    /// <summary>
    /// Whether an exception from calling another service means it is not answering (refused, timed out, circuit open)
    /// rather than that our own request was cancelled: the caller then throws DependencyUnavailableException (503).
    /// </summary>
    public static bool IsUnavailable(Exception e, CancellationToken cancellationToken) =>
        e is HttpRequestException or TaskCanceledException or Polly.Timeout.TimeoutRejectedException or Polly.CircuitBreaker.BrokenCircuitException
        && !cancellationToken.IsCancellationRequested;
}
