namespace MasStack.NetworkProvisioning;

/// <summary>
/// How the simulated network behaves: how long it takes to answer, how often it fails, and the SIMs (by ICCID) whose
/// orders get a malformed answer (a 200 whose body cannot be read) without being applied.
/// </summary>
public sealed record Behaviour(int LatencyMs, double FailureRate, IReadOnlyList<string>? MalformedFor = null);

/// <summary>
/// Starts from configuration (<c>Network:LatencyMs</c>, <c>Network:FailureRate</c>, i.e. the environment variables
/// <c>Network__LatencyMs</c>, <c>Network__FailureRate</c>) and can be changed at run time through the admin endpoint.
/// </summary>
public sealed class NetworkBehaviour(IConfiguration configuration)
{
    private Behaviour _current = new(configuration.GetValue("LatencyMs", 20), configuration.GetValue("FailureRate", 0.0));

    public Behaviour Current => Volatile.Read(ref _current);

    public void Set(Behaviour behaviour) => Volatile.Write(ref _current, behaviour);
}
