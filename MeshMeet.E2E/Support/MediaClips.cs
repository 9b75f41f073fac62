using System.Diagnostics;
using MeshMeet.Tests.Support;

namespace MeshMeet.E2E.Support;

/// <summary>
/// Clips for Chromium's fake camera and microphone (--use-file-for-fake-video/audio-capture), made once per machine
/// with Debian's ffmpeg, sox and espeak-ng from the photographs scripts/test fetches (MESHMEET_TEST_MEDIA).
/// </summary>
public static class MediaClips
{
    private static readonly string Folder = Environment.GetEnvironmentVariable("MESHMEET_TEST_MEDIA")
        ?? Path.Combine(ServerProcess.RepoRoot(), ".data", "test-media");

    /// <summary>Width and height of <see cref="Figure"/>: a person (480x480) in its middle, gravel left and right of
    /// her (80 px each side), and her photograph's own flag and model shuttle behind her.</summary>
    public const int FigureWidth = 640, FigureHeight = 480;

    /// <summary>A still picture as a 30 fps camera: a person before a detailed background.</summary>
    public static string Figure => Make("figure.y4m", """
        ffmpeg -y -loglevel error -i gravel.png -i astronaut.png -filter_complex \
          "[0]scale=640:480,setsar=1[bg];[1]scale=480:480[fg];[bg][fg]overlay=80:0,format=yuv420p" -r 30 -t 1 "$out"
        """);

    /// <summary>Seconds of noise alone at the start of <see cref="NoiseThenSpeech"/>, and its whole length (it loops).</summary>
    public const double NoiseOnlySeconds = 4, NoiseThenSpeechSeconds = 8;

    /// <summary>A microphone in a noisy room: 4 s of pink noise alone, then a spoken sentence over the same noise.</summary>
    public static string NoiseThenSpeech => Make("noise-then-speech.wav", """
        espeak-ng -w speech-raw.wav "Hello everyone. Can you hear me well? This sentence should come through the noise."
        sox speech-raw.wav -r 48000 -c 1 -b 16 speech.wav norm -3 pad 4 0 trim 0 8
        sox -n -r 48000 -c 1 -b 16 noise.wav synth 8 pinknoise vol 0.12
        sox -m noise.wav speech.wav -b 16 "$out"
        rm -f speech-raw.wav speech.wav noise.wav
        """);

    private static readonly Lock Making = new();

    private static string Make(string name, string script)
    {
        var path = Path.Combine(Folder, name);
        lock (Making)
        {
            if (File.Exists(path)) return path;
            var work = Path.Combine(Folder, $"unfinished-{name}"); // the tools choose the format by the extension
            var run = Process.Start(new ProcessStartInfo("bash", ["-euc", script])
            {
                WorkingDirectory = Folder,
                Environment = { ["out"] = work },
                RedirectStandardError = true,
            })!;
            var errors = run.StandardError.ReadToEnd();
            run.WaitForExit();
            if (run.ExitCode != 0) throw new InvalidOperationException($"Could not make {name} in {Folder} (scripts/test fetches what it needs): {errors}");
            File.Move(work, path);
            return path;
        }
    }
}
