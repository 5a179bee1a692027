using System.Runtime.Versioning;

// The hosting library drives Linux processes (signals, setpriv, /proc); so do these tests.
[assembly: SupportedOSPlatform("linux")]
