using System.Reflection;

namespace MasStack.Platform.Data;

/// <summary>Which service this process is: its resource name (also its database and queue prefix) and its assembly.</summary>
public sealed record ServiceIdentity(string Name, Assembly Assembly);
