using System.Text;
using BenchmarkDotNet.Attributes;
using Routing.Sip.Auth;

namespace Routing.Benchmarks.Auth;

/// <summary>
/// Cost of the digest path a registrar runs per authenticated REGISTER: parse Authorization, check the stateless nonce,
/// recompute the response. Run: dotnet run -c Release --project benchmarks/Routing.Benchmarks -- --filter '*DigestBenchmarks*'
/// </summary>
[MemoryDiagnoser]
public class DigestBenchmarks
{
    private const string Realm = "sip.example.com";
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    private DigestNonceService _nonces = null!;
    private DigestVerifier _verifier = null!;
    private byte[] _header = null!;
    private DigestCredentials _credentials = null!;
    private string _ha1 = null!;
    private string _nonce = null!;
    private readonly byte[] _block = new byte[64];

    [Params(DigestAlgorithm.Md5, DigestAlgorithm.Sha256, DigestAlgorithm.Sha512T256)]
    public DigestAlgorithm Algorithm { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _nonces = new DigestNonceService(new DigestNonceOptions { Secret = Encoding.ASCII.GetBytes("0123456789abcdef0123456789abcdef") });
        _verifier = new DigestVerifier(_nonces);
        _nonce = _nonces.Issue(Now, Realm);
        var challenge = DigestChallenge.Create(Realm, _nonce, Algorithm);
        _credentials = DigestCredentials.Answer(challenge, "alice", "s3cret", "REGISTER", "sip:sip.example.com", "0a4f113b");
        _header = Encoding.ASCII.GetBytes(_credentials.ToHeaderValue());
        _ha1 = DigestHash.ComputeHa1(Algorithm, "alice", Realm, "s3cret");
    }

    [Benchmark]
    public bool ParseAuthorization() => DigestCredentials.TryParse(_header, out _, out _);

    [Benchmark]
    public DigestNonceStatus CheckNonce() => _nonces.Check(_nonce, Now, Realm);

    [Benchmark]
    public DigestVerificationResult Verify() =>
        _verifier.Verify(_credentials, "REGISTER", Realm, "sip:sip.example.com", _ha1, Now);

    [Benchmark]
    public DigestVerificationResult ParseAndVerify()
    {
        return DigestCredentials.TryParse(_header, out var credentials, out _)
            ? _verifier.Verify(credentials, "REGISTER", Realm, "sip:sip.example.com", _ha1, Now)
            : DigestVerificationResult.MissingParameter;
    }

    [Benchmark]
    public int HashOneBlock() => DigestAlgorithms.Hash(Algorithm, _block, stackalloc byte[32]);
}
