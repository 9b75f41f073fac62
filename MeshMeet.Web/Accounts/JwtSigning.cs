using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace MeshMeet.Web.Accounts;

/// <summary>The symmetric key that signs API tokens. From configuration (Jwt:SigningKey, base64, at least 256 bits);
/// in Development generated once and kept under .data/ so tokens survive restarts.</summary>
public sealed class JwtSigning(SymmetricSecurityKey key, string issuer, TimeSpan lifetime)
{
    public SymmetricSecurityKey Key { get; } = key;
    public string Issuer { get; } = issuer;
    public TimeSpan Lifetime { get; } = lifetime;

    public TokenValidationParameters ValidationParameters() => new()
    {
        ValidIssuer = Issuer,
        ValidAudience = Issuer,
        IssuerSigningKey = Key,
        ValidateIssuerSigningKey = true,
        ClockSkew = TimeSpan.FromSeconds(30),
    };

    public static JwtSigning Load(IConfiguration config, IHostEnvironment env)
    {
        var issuer = config["Jwt:Issuer"] ?? "meshmeet";
        var lifetime = TimeSpan.FromMinutes(config.GetValue("Jwt:LifetimeMinutes", 60));
        var configured = config["Jwt:SigningKey"];
        byte[] bytes;
        if (!string.IsNullOrWhiteSpace(configured))
            bytes = Convert.FromBase64String(configured);
        else if (env.IsDevelopment())
            bytes = DevelopmentKey(Path.Combine(config["DataDirectory"] ?? Path.Combine(env.ContentRootPath, "..", ".data"), "jwt-signing.key"));
        else
            throw new InvalidOperationException("Jwt:SigningKey is not set (base64, at least 32 bytes). Set Jwt__SigningKey.");
        if (bytes.Length < 32)
            throw new InvalidOperationException("Jwt:SigningKey must be at least 32 bytes (256 bits).");
        return new JwtSigning(new SymmetricSecurityKey(bytes), issuer, lifetime);
    }

    private static byte[] DevelopmentKey(string path)
    {
        if (File.Exists(path)) return Convert.FromBase64String(File.ReadAllText(path).Trim());
        var bytes = RandomNumberGenerator.GetBytes(32);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, Convert.ToBase64String(bytes));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return bytes;
    }
}
