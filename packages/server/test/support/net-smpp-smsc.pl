#!/usr/bin/perl
# An SMSC for tests on Perl's Net::SMPP (Debian libnet-smpp-perl): its own PDU codec, written from
# SMPP 3.4 independently of the `smpp` npm package, so a test against it catches what a same-library
# peer cannot. It listens on 127.0.0.1 (a free port, printed as "listening PORT"), accepts any
# bind_transceiver / bind_transmitter / bind_receiver with system_id "tapback" and password
# "secret", answers each submit_sm with an upper-case hex message_id, then sends a delivery receipt
# whose text carries the same id in decimal (Appendix B format).
#
# stdout, one line per event:  listening PORT | bound MODE | submit ID_DEC DEST DCS ESM HEXBODY |
#                              deliver_sm_resp SEQ STATUS | closed
# stdin, one command per line: mo FROM TO DCS ESM HEXBODY  (an MO deliver_sm to the receiver)
#                              drop                        (close every connection)
#                              quit
use strict;
use warnings;
use Net::SMPP;
use IO::Select;

$| = 1;
my $listener = Net::SMPP->new_listen('127.0.0.1', port => 0, async => 1, smpp_version => 0x34)
  or die "cannot listen: $!";
print 'listening ', $listener->sockport, "\n";

my $select = IO::Select->new($listener, \*STDIN);
my %mode;        # client socket => bind command
my $next_id = 0x5EED0000;
my $stdin_buf = '';

sub close_client {
  my ($c) = @_;
  $select->remove($c);
  delete $mode{$c};
  close $c;
  print "closed\n";
}

sub receiver {
  for my $c ($select->handles) {
    next if !exists $mode{$c};
    return $c if $mode{$c} ne 'bind_transmitter';
  }
  return undef;
}

sub command {
  my ($line) = @_;
  my @w = split / /, $line;
  if ($w[0] eq 'mo') {
    my ($from, $to, $dcs, $esm, $hex) = @w[1 .. 5];
    my $c = receiver() or return print "error no receiver\n";
    my $seq = $c->deliver_sm(source_addr_ton => 1, source_addr => $from, dest_addr_ton => 1,
      destination_addr => $to, data_coding => $dcs, esm_class => $esm,
      short_message => pack('H*', $hex));
    print "sent_mo $seq\n";
  } elsif ($w[0] eq 'drop') {
    close_client($_) for grep { exists $mode{$_} } $select->handles;
  } elsif ($w[0] eq 'quit') {
    exit 0;
  }
}

sub handle {
  my ($c, $pdu) = @_;
  my $cmd = $pdu->{cmd};
  if ($cmd == Net::SMPP::CMD_bind_transceiver || $cmd == Net::SMPP::CMD_bind_transmitter
      || $cmd == Net::SMPP::CMD_bind_receiver) {
    my $ok = ($pdu->{system_id} // '') eq 'tapback' && ($pdu->{password} // '') eq 'secret';
    my $name = $cmd == Net::SMPP::CMD_bind_transceiver ? 'bind_transceiver'
      : $cmd == Net::SMPP::CMD_bind_transmitter ? 'bind_transmitter' : 'bind_receiver';
    my $resp = $name . '_resp';
    $c->$resp(seq => $pdu->{seq}, status => $ok ? 0 : 0x0D, system_id => 'netsmpp');
    if ($ok) { $mode{$c} = $name; print "bound $name\n"; }
  } elsif ($cmd == Net::SMPP::CMD_submit_sm) {
    my $id = $next_id++;
    $c->submit_sm_resp(seq => $pdu->{seq}, message_id => sprintf('%X', $id));
    print join(' ', 'submit', $id, $pdu->{destination_addr}, $pdu->{data_coding}, $pdu->{esm_class},
      unpack('H*', $pdu->{short_message})), "\n";
    my $text = sprintf('id:%d sub:001 dlvrd:001 submit date:2611300355 done date:2611300356 stat:DELIVRD err:000 text:', $id);
    my $to = receiver() // $c;
    $to->deliver_sm(source_addr_ton => 1, source_addr => $pdu->{destination_addr}, dest_addr_ton => 1,
      destination_addr => $pdu->{source_addr}, esm_class => 0x04, data_coding => 0,
      short_message => $text);
  } elsif ($cmd == Net::SMPP::CMD_deliver_sm_resp) {
    print "deliver_sm_resp $pdu->{seq} $pdu->{status}\n";
  } elsif ($cmd == Net::SMPP::CMD_enquire_link) {
    $c->enquire_link_resp(seq => $pdu->{seq});
  } elsif ($cmd == Net::SMPP::CMD_unbind) {
    $c->unbind_resp(seq => $pdu->{seq});
    close_client($c);
  }
}

while (1) {
  for my $fh ($select->can_read) {
    if ($fh == $listener) {
      my $c = $listener->accept or next;
      $select->add($c);
    } elsif ($fh == \*STDIN) {
      my $n = sysread(STDIN, $stdin_buf, 4096, length $stdin_buf);
      exit 0 if !$n;
      while ($stdin_buf =~ s/^([^\n]*)\n//) { command($1) if length $1; }
    } else {
      my $pdu = $fh->read_pdu;
      if (!$pdu) { close_client($fh); next; }
      handle($fh, $pdu);
    }
  }
}
