namespace AegisKV.Server.Health;

/// <summary>Tags that assign health checks to the endpoints.</summary>
public static class HealthTags
{
    /// <summary>Checks behind <c>/live</c>.</summary>
    public const string Live = "live";

    /// <summary>Checks behind <c>/ready</c>.</summary>
    public const string Ready = "ready";

    /// <summary>Checks behind <c>/health</c>.</summary>
    public const string Health = "health";
}
