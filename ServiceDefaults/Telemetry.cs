using System.Diagnostics;

namespace MasStack.ServiceDefaults;

public static class Telemetry
{
    public const string SourceName = "MasStack";
    public static readonly ActivitySource Source = new(SourceName);
}
