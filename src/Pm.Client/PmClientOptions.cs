namespace Pm.Client;

/// <summary>Configures a <see cref="PmClient"/>.</summary>
public sealed class PmClientOptions
{
    /// <summary>Gets or sets the bearer token sent with every request; <see langword="null"/> sends none.</summary>
    /// <remarks>The default value is <see langword="null"/>.</remarks>
    public string? AccessToken { get; set; }

    /// <summary>Gets or sets the path prefix of the pm interface on the server.</summary>
    /// <remarks>The default value is <c>/procs</c>, as on Go servers.</remarks>
    public string Prefix { get; set; } = "/procs";
}
