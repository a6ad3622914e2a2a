package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/stretchr/testify/require"
)

// TestServe_S3: serve -api s3 speaks S3 with Glacier's rules to
// aws-sdk-go-v2, on the mock clock; the database keeps its dialect, and
// serve -api oss refuses it, saying why.
func TestServe_S3(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "s3.db")
	s := startServe(t, "-db", path, "-clock", "mock", "-api", "s3", "-keys", "AKID:SECRET")
	c := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + s.addr), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""), Retryer: aws.NopRetryer{}})
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bkt")})
	require.NoError(t, err)
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k"), Body: strings.NewReader("cold"), StorageClass: types.StorageClassDeepArchive})
	require.NoError(t, err)
	_, err = c.RestoreObject(ctx, &s3.RestoreObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k"),
		RestoreRequest: &types.RestoreRequest{Days: aws.Int32(1), GlacierJobParameters: &types.GlacierJobParameters{Tier: types.TierBulk}}})
	require.NoError(t, err)
	status, _ := s.do(t, "POST", "/-/clock?advance=48h", "")
	require.Equal(t, 403, status, "the clock needs a signature with -keys")
	code, _ := s.shutdown(t)
	require.Equal(t, 0, code, s.stderr.String())

	s = startServe(t, "-db", path, "-clock", "mock", "-api", "s3")
	status, _ = s.do(t, "POST", "/-/clock?advance=48h", "")
	require.Equal(t, 200, status)
	c = s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + s.addr), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider("any", "any", ""), Retryer: aws.NopRetryer{}})
	h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k")})
	require.NoError(t, err)
	require.Equal(t, `ongoing-request="false", expiry-date="Thu, 04 Jan 2024 00:00:00 GMT"`, aws.ToString(h.Restore), "Bulk: 48 hours, then a day to the midnight")
	code, _ = s.shutdown(t)
	require.Equal(t, 0, code)

	var out, errb strings.Builder
	require.Equal(t, 1, serveContext(ctx, []string{"-addr", "127.0.0.1:0", "-db", path}, &out, &errb))
	require.Contains(t, errb.String(), "dialect")
}

// TestServe_S3Region: -region names the server's region; a client of
// that region creates its buckets with the LocationConstraint it sends,
// one of another region is refused as S3 refuses it.
func TestServe_S3Region(t *testing.T) {
	ctx := context.Background()
	s := startServe(t, "-db", filepath.Join(t.TempDir(), "s3.db"), "-api", "s3", "-region", "eu-west-1")
	client := func(region string) *s3.Client {
		return s3.New(s3.Options{Region: region, BaseEndpoint: aws.String("http://" + s.addr), UsePathStyle: true,
			Credentials: credentials.NewStaticCredentialsProvider("any", "any", ""), Retryer: aws.NopRetryer{}})
	}
	_, err := client("eu-west-1").CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bkt"),
		CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraintEuWest1}})
	require.NoError(t, err)
	_, err = client("eu-west-1").CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bkt"),
		CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraintEuWest1}})
	require.ErrorContains(t, err, "BucketAlreadyOwnedByYou", "outside us-east-1, a second CreateBucket of one's own bucket is 409")
	loc, err := client("eu-west-1").GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("bkt")})
	require.NoError(t, err)
	require.Equal(t, types.BucketLocationConstraintEuWest1, loc.LocationConstraint)
	_, err = client("ap-south-1").CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("other"),
		CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraintApSouth1}})
	require.ErrorContains(t, err, "IllegalLocationConstraintException")
	code, _ := s.shutdown(t)
	require.Equal(t, 0, code, s.stderr.String())
}

// TestServe_TLS: -tls-cert and -tls-key serve HTTPS, where aws-sdk-go-v2
// sends its bodies aws-chunked with trailing checksums.
func TestServe_TLS(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	certPEM, keyPEM, pool := selfSigned(t)
	cert, key := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	require.NoError(t, os.WriteFile(cert, certPEM, 0o600))
	require.NoError(t, os.WriteFile(key, keyPEM, 0o600))
	s := startServe(t, "-db", filepath.Join(dir, "s3.db"), "-api", "s3", "-tls-cert", cert, "-tls-key", key)
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	c := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String("https://" + s.addr), UsePathStyle: true, HTTPClient: hc, RequestChecksumCalculation: aws.RequestChecksumCalculationWhenSupported,
		Credentials: credentials.NewStaticCredentialsProvider("any", "any", ""), Retryer: aws.NopRetryer{}})
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bkt")})
	require.NoError(t, err)
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k"), Body: strings.NewReader("over TLS")})
	require.NoError(t, err)
	got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k")})
	require.NoError(t, err)
	b, err := io.ReadAll(got.Body)
	require.NoError(t, err)
	require.Equal(t, "over TLS", string(b))

	var out, errb strings.Builder
	require.Equal(t, 2, serveContext(ctx, []string{"-tls-cert", cert}, &out, &errb))
	require.Equal(t, 2, serveContext(ctx, []string{"-tls-cert", key, "-tls-key", cert}, &out, &errb), "a key that is not the certificate's")
}

// selfSigned returns a certificate for 127.0.0.1, its key, and a pool
// that trusts it.
func selfSigned(t *testing.T) (certPEM, keyPEM []byte, pool *x509.CertPool) {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "coldstore test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	require.NoError(t, err)
	kb, err := x509.MarshalECPrivateKey(priv)
	require.NoError(t, err)
	parsed, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	pool = x509.NewCertPool()
	pool.AddCert(parsed)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), pool
}
