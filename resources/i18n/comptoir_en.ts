<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en">
  <context>
    <name>Comptoir</name>
    <message numerus="yes">
      <source>%n change made since the backup was never sent and the restore replaced it: enter it again.</source>
      <translation>
        <numerusform>%n change made since the backup was never sent and the restore replaced it: enter it again.</numerusform>
        <numerusform>%n changes made since the backup were never sent and the restore replaced them: enter them again.</numerusform>
      </translation>
    </message>
    <message numerus="yes">
      <source>%n change made since the backup was sent but its result was not confirmed: check on the marketplace before entering it again.</source>
      <translation>
        <numerusform>%n change made since the backup was sent but its result was not confirmed: check on the marketplace before entering it again.</numerusform>
        <numerusform>%n changes made since the backup were sent but their result was not confirmed: check on the marketplace before entering them again.</numerusform>
      </translation>
    </message>
    <message numerus="yes">
      <source>%n change was never sent to the previous shop: enter it again there.</source>
      <translation>
        <numerusform>%n change was never sent to the previous shop: enter it again there.</numerusform>
        <numerusform>%n changes were never sent to the previous shop: enter them again there.</numerusform>
      </translation>
    </message>
    <message numerus="yes">
      <source>%n change was sent to the previous shop but its result was not confirmed: check there before entering it again.</source>
      <translation>
        <numerusform>%n change was sent to the previous shop but its result was not confirmed: check there before entering it again.</numerusform>
        <numerusform>%n changes were sent to the previous shop but their result was not confirmed: check there before entering them again.</numerusform>
      </translation>
    </message>
    <message numerus="yes">
      <source>%n change made here is not confirmed by the marketplace yet: the restore replaces it; those not in the backup are exported to a list, to enter again.</source>
      <translation>
        <numerusform>%n change made here is not confirmed by the marketplace yet: the restore replaces it; if it is not in the backup, it is exported to a list, to enter again.</numerusform>
        <numerusform>%n changes made here are not confirmed by the marketplace yet: the restore replaces them; those not in the backup are exported to a list, to enter again.</numerusform>
      </translation>
    </message>
    <message numerus="yes">
      <source>%n new order(s)</source>
      <translation>
        <numerusform>%n new order</numerusform>
        <numerusform>%n new orders</numerusform>
      </translation>
    </message>
    <message numerus="yes">
      <source>%n order(s)</source>
      <translation>
        <numerusform>%n order</numerusform>
        <numerusform>%n orders</numerusform>
      </translation>
    </message>
    <message numerus="yes">
      <source>%n item(s)</source>
      <translation>
        <numerusform>%n item</numerusform>
        <numerusform>%n items</numerusform>
      </translation>
    </message>
    <message numerus="yes">
      <source>%n ticket(s) waiting</source>
      <translation>
        <numerusform>%n ticket waiting</numerusform>
        <numerusform>%n tickets waiting</numerusform>
      </translation>
    </message>
    <message numerus="yes">
      <source>%n change(s) waiting to be sent</source>
      <translation>
        <numerusform>%n change waiting to be sent</numerusform>
        <numerusform>%n changes waiting to be sent</numerusform>
      </translation>
    </message>
  </context>
</TS>
