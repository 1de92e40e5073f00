namespace MasStack.ServiceDefaults;

/// <summary>
/// Which outgoing requests the resilience pipeline may send again. A request that is idempotent by HTTP
/// semantics may; a POST or PATCH only when it carries an <c>Idempotency-Key</c>, because otherwise a retry
/// after a lost response would do the work twice.
/// </summary>
public static class RetryPolicy
{
    public static bool MayRetry(HttpRequestMessage? request)
    {
        if (request is null) return false;
        if (request.Method == HttpMethod.Get || request.Method == HttpMethod.Head || request.Method == HttpMethod.Options
            || request.Method == HttpMethod.Put || request.Method == HttpMethod.Delete)
            return true;
        return request.Headers.Contains("Idempotency-Key");
    }
}
