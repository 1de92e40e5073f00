namespace MasStack.ServiceDefaults;

/// <summary>
/// Another service (or the network, or a simulator) this request needs now did not answer in time. The
/// exception handler turns it into 503 problem details with <c>Retry-After</c>, so a caller waits and retries
/// rather than hangs; nothing the request would have changed has been changed.
/// </summary>
public sealed class DependencyUnavailableException(string dependency, Exception? inner = null)
    : Exception($"The {dependency} service is not answering.", inner)
{
    public const int RetryAfterSeconds = 5;

    public string Dependency { get; } = dependency;
}
